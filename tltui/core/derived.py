"""Variants produced by mitigation and treatment jobs: saved in the workspace and joined to their study."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn

from tltui.base import tempfiles
from tltui.base.errors import StudyError
from tltui.base.names import RESERVED, is_name, shown
from tltui.base.names import check_name as check_rule
from tltui.base.runfiles import load_json, save_json
from tltui.base.study import ModelSpec, Study
from tltui.base.workspace import derived_dir
from tltui.core import models as M
from tltui.core.build import head_classes

META_KEY = "tltui_variant"
"""The safetensors metadata entry holding a produced variant's record: weights and record change together."""


_RECORD = "_tltui_record"


def attach_record(model: nn.Module, **entries: Any) -> nn.Module:
    """Have `model` carry entries for its variant's record (e.g. SeaM's `mask`); returns it. `stage_variant` via
    `taken_record` writes them into the provenance; they travel with the module (a Ray seed's result too)."""
    model.__dict__[_RECORD] = {**model.__dict__.get(_RECORD, {}), **entries}
    return model


def taken_record(model: nn.Module) -> dict[str, Any]:
    """The entries `attach_record` gave `model`, removed from it ({} when none)."""
    out: dict[str, Any] = model.__dict__.pop(_RECORD, {})
    return out


def check_name(study: Study, name: str) -> None:
    check_rule(name, "--name", StudyError)
    if name in study.names or name in RESERVED:
        raise StudyError(f"variant name {name!r}: the study already defines it; pass another --name")


@dataclass(frozen=True)
class Staged:
    """A produced variant written under a temporary name: part of no analysis until `commit`."""

    spec: ModelSpec
    meta: dict[str, Any]
    final: Path


def stage_variant(
    workspace: Path, study: Study, name: str, model: nn.Module, arch: str, meta: dict[str, Any]
) -> Staged:
    """Save a produced model (safetensors with its record inside) under a unique hidden name beside its place."""
    check_name(study, name)
    d = derived_dir(workspace, study)
    d.mkdir(parents=True, exist_ok=True)
    record = {
        **meta,
        "name": name,
        "arch": arch,
        "num_classes": int(head_classes(model)),
        "created": time.time(),
    }
    tempfiles.sweep(d)  # the variants of killed jobs
    fd, tmp = tempfile.mkstemp(dir=d, prefix=tempfiles.prefix(name), suffix=".staged.safetensors")
    os.close(fd)
    try:
        M.save_weights(model, Path(tmp), metadata={META_KEY: json.dumps(record, default=str)})
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    spec = ModelSpec(name=name, arch=arch, num_classes=record["num_classes"], weights=Path(tmp))
    return Staged(spec, record, d / f"{name}.safetensors")


def commit(staged: Staged) -> ModelSpec:
    """Put a staged variant in place (replacing an earlier one of that name in one rename); later runs include it."""
    assert staged.spec.weights is not None
    os.replace(staged.spec.weights, staged.final)
    save_json(
        staged.final.with_suffix(".json"), staged.meta
    )  # for people and listings; the weights file rules
    return ModelSpec(staged.spec.name, staged.spec.arch, staged.spec.num_classes, weights=staged.final)


def discard(staged: Staged) -> None:
    """Remove a staged variant that will not be committed (its job failed or was cancelled)."""
    if staged.spec.weights is not None:
        staged.spec.weights.unlink(missing_ok=True)


def _record(weights: Path, meta_path: Path) -> dict[str, Any] | None:
    """The variant's record: from its weights file (written with them), else the JSON beside it (older saves)."""
    try:
        from safetensors import safe_open

        with safe_open(str(weights), framework="pt") as fh:
            text = (fh.metadata() or {}).get(META_KEY)
        if text:
            found = json.loads(text)
            return found if isinstance(found, dict) else None
    except Exception:
        return None  # unreadable weights: the analysis would fail on them, so the variant is left out
    with contextlib.suppress(Exception):
        found = load_json(meta_path)
        return found if isinstance(found, dict) else None
    return None


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is replaced (a commit renames a new file over the old): inode, size, mtime."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def variant_record(weights: Path) -> dict[str, Any] | None:
    """The record stored with a produced variant's weights (None if unreadable)."""
    return _record(weights, weights.with_suffix(".json"))


def derived_variants(workspace: Path, study: Study) -> list[tuple[ModelSpec, dict[str, Any]]]:
    """The study's produced variants, oldest first, with their metadata (method, base, parameters)."""
    d = derived_dir(workspace, study)
    found = []
    for weights in sorted(d.glob("*.safetensors")) if d.is_dir() else []:
        meta = _record(weights, weights.with_suffix(".json"))
        if meta is None or meta.get("name") != weights.stem or not is_name(weights.stem):
            continue  # a half-written, foreign or renamed file must not break every analysis
        if weights.stem in study.names or weights.stem in RESERVED:
            continue
        try:
            spec = ModelSpec(
                name=weights.stem,
                arch=str(meta["arch"]),
                num_classes=int(meta["num_classes"]),
                weights=weights,
            )
        except (KeyError, TypeError, ValueError):
            print(f"skipping produced variant {shown(weights)}: its record is incomplete", flush=True)
            continue
        found.append((spec, meta))
    return sorted(found, key=lambda sm: float(sm[1].get("created", 0)))


def remove_variant(workspace: Path, study: Study, name: str) -> None:
    d = derived_dir(workspace, study)
    for suffix in (".safetensors", ".json"):
        (d / f"{name}{suffix}").unlink(missing_ok=True)
