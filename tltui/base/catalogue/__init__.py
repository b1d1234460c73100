"""The torch-free catalogue of everything a user can choose, from which flags, forms, palette and keys are made.

Families are plain dicts of `Entry`; `register` adds to one. Modules named in `$TLTUI_PLUGINS` (comma-separated,
importable, code you trust) are imported once here, so a plugin's entries reach the CLI, the UI and the jobs alike.
"""

from __future__ import annotations

import importlib
import os

from tltui.base.catalogue.attacks import ATTACKS, TEACHER_ATTACKS
from tltui.base.catalogue.entry import Entry, load_target
from tltui.base.catalogue.jobs import DEVICE_RESOLVER, JOBS, RunParams
from tltui.base.catalogue.mitigation import (
    MITIGATIONS,
    DeltaParams,
    FeatureParams,
    MitigateParams,
    PruneParams,
    RemosParams,
    RenofeationParams,
    SeamParams,
)
from tltui.base.catalogue.params import ParamSpec, as_json, param, parse, specs
from tltui.base.catalogue.training import TrainParams
from tltui.base.catalogue.treatment import TREATMENTS, DareParams, FmtParams, ModelDoctorParams, TreatParams
from tltui.base.catalogue.views import VIEWS
from tltui.base.errors import TltuiError

FAMILIES: dict[str, dict[str, Entry]] = {
    "attack": ATTACKS,
    "teacher_attack": TEACHER_ATTACKS,
    "mitigation": MITIGATIONS,
    "treatment": TREATMENTS,
    "job": JOBS,
    "view": VIEWS,
}

PLUGINS_ENV = "TLTUI_PLUGINS"


def register(family: str, entry: Entry) -> None:
    """Add (or replace) an entry of a family: one line per new attack, method, treatment, job kind or view."""
    if family not in FAMILIES:
        raise TltuiError(f"catalogue family {family!r}: choose one of {', '.join(FAMILIES)}")
    FAMILIES[family][entry.name] = entry


def _load_plugins() -> None:
    for name in filter(None, (n.strip() for n in os.environ.get(PLUGINS_ENV, "").split(","))):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise TltuiError(f"${PLUGINS_ENV}: cannot import {name!r} ({exc}); fix or unset it") from None


_load_plugins()

__all__ = [
    "ATTACKS",
    "DEVICE_RESOLVER",
    "FAMILIES",
    "JOBS",
    "MITIGATIONS",
    "TEACHER_ATTACKS",
    "TREATMENTS",
    "VIEWS",
    "DareParams",
    "DeltaParams",
    "Entry",
    "FeatureParams",
    "FmtParams",
    "MitigateParams",
    "ModelDoctorParams",
    "ParamSpec",
    "PruneParams",
    "RemosParams",
    "RenofeationParams",
    "RunParams",
    "SeamParams",
    "TrainParams",
    "TreatParams",
    "as_json",
    "load_target",
    "param",
    "parse",
    "register",
    "specs",
]
