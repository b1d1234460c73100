"""Variants produced by mitigation and treatment jobs: saved in the workspace and joined to their study."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from torch import nn

from tltui.base.errors import StudyError
from tltui.base.runfiles import load_json, save_json
from tltui.base.study import ModelSpec, Study
from tltui.base.workspace import derived_dir
from tltui.core import models as M
from tltui.core.build import head_classes

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")


def check_name(study: Study, name: str) -> None:
    if not NAME.match(name):
        raise StudyError(f"variant name {name!r}: use letters, digits and . _ + - (at most 64)")
    if name in study.names or name == "teacher":
        raise StudyError(f"variant name {name!r}: the study already defines it; pass another --name")


def save_variant(
    workspace: Path, study: Study, name: str, model: nn.Module, arch: str, meta: dict[str, Any]
) -> ModelSpec:
    """Save a produced model (safetensors + JSON metadata); a later run of any command includes it."""
    check_name(study, name)
    d = derived_dir(workspace, study)
    weights = d / f"{name}.safetensors"
    M.save_weights(model, weights)
    num_classes = head_classes(model)
    save_json(
        d / f"{name}.json",
        {**meta, "name": name, "arch": arch, "num_classes": int(num_classes), "created": time.time()},
    )
    return ModelSpec(name=name, arch=arch, num_classes=int(num_classes), weights=weights)


def derived_variants(workspace: Path, study: Study) -> list[tuple[ModelSpec, dict[str, Any]]]:
    """The study's produced variants, oldest first, with their metadata (method, base, parameters)."""
    d = derived_dir(workspace, study)
    found = []
    for meta_path in sorted(d.glob("*.json")) if d.is_dir() else []:
        try:
            meta = load_json(meta_path)
        except Exception:
            continue  # a half-written or foreign file must not break every analysis
        weights = meta_path.with_suffix(".safetensors")
        if not weights.is_file() or meta.get("name") in study.names:
            continue
        spec = ModelSpec(
            name=meta["name"], arch=meta["arch"], num_classes=int(meta["num_classes"]), weights=weights
        )
        found.append((spec, meta))
    return sorted(found, key=lambda sm: float(sm[1].get("created", 0)))


def remove_variant(workspace: Path, study: Study, name: str) -> None:
    d = derived_dir(workspace, study)
    for suffix in (".safetensors", ".json"):
        (d / f"{name}{suffix}").unlink(missing_ok=True)
