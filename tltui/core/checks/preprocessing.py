"""Check `preprocessing-mismatch`: teacher and student preprocessing or class lists that disagree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tltui.base.study_spec import ModelSpec
from tltui.core.build import head_classes
from tltui.core.checks.context import CheckContext, Found

RECORDED = ("mean", "std", "image_size", "classes")
"""safetensors metadata keys (JSON values) a weights file may carry about how its model was trained."""


def recorded(weights: Path | None) -> dict[str, Any]:
    """The preprocessing a `.safetensors` file records in its metadata (RECORDED keys, JSON); empty when it
    records none or is not safetensors."""
    if weights is None or weights.suffix != ".safetensors":
        return {}
    from safetensors import safe_open

    try:
        with safe_open(str(weights), framework="pt") as f:
            meta = f.metadata() or {}
    except Exception:
        return {}
    found = {}
    for key in RECORDED:
        try:
            found[key] = json.loads(meta[key]) if key in meta else None
        except ValueError:
            continue
    return {k: v for k, v in found.items() if v is not None}


def disagreements(ctx: CheckContext, spec: ModelSpec, classes: list[str] | None) -> list[str]:
    """What `spec`'s weights record that differs from the study: normalisation, image size, class order."""
    rec, d = recorded(spec.weights), ctx.study.data
    out = []
    for key, mine in (("mean", d.mean), ("std", d.std)):
        theirs = rec.get(key)
        if isinstance(theirs, list) and (len(theirs) != len(mine) or not np.allclose(theirs, mine)):
            out.append(f"{key} {theirs} (the study's [data] {key} is {list(mine)})")
    if isinstance(rec.get("image_size"), int) and rec["image_size"] != d.image_size:
        out.append(f"image size {rec['image_size']} (the study's is {d.image_size})")
    if (
        isinstance(rec.get("classes"), list)
        and classes is not None
        and [str(c) for c in rec["classes"]] != classes
    ):
        out.append(f"classes {rec['classes'][:6]} (the data's folders are {classes[:6]})")
    return out


def run(ctx: CheckContext) -> list[Found]:
    found = []
    src, test = ctx.data.source_test, ctx.data.test
    specs = {"teacher": ctx.study.teacher, **{v.name: v for v in ctx.study.variants}}
    teacher = next((p for p in ctx.probes if p.name == "teacher"), None)
    if teacher is not None and src is not None and head_classes(teacher.model) != src.num_classes:
        found.append(
            Found(
                "teacher",
                f"its head has {head_classes(teacher.model)} outputs but [data] source_test has "
                f"{src.num_classes} class folders: the teacher's accuracy is read against the wrong classes",
            )
        )
    for p in ctx.probes:
        spec = specs.get(p.name)
        if spec is None:
            continue
        classes = src.classes if p.name == "teacher" and src is not None else None
        classes = test.classes if p.name != "teacher" else classes
        for what in disagreements(ctx, spec, classes):
            found.append(Found(p.name, f"its weights record {what}: it was trained with other preprocessing"))
    return found
