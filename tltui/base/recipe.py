"""One recipe per comparison (docs/sweeps.md): the tag a matched baseline's name carries for a recipe other than the
default, so two recipes in one workspace never share a baseline's name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tltui.base.catalogue.params import number_text

SCRATCH = "scratch"
"""The build recipe of the methods that re-initialise (retrain, Renofeation): their comparison trains on it."""


def recipe_tag(params: Mapping[str, Any]) -> str:
    """`-scratch-lr0.05-e20` for a recipe set by `recipe`, `lr` or `epochs` (a method's parameters as recorded);
    empty at the default recipe (the names of earlier runs stay as they were)."""
    parts = []
    if params.get("recipe"):
        parts.append(str(params["recipe"]))
    if params.get("lr") is not None:
        parts.append("lr" + number_text(float(params["lr"])))
    if params.get("epochs") is not None:
        parts.append(f"e{int(params['epochs'])}")
    return "".join("-" + p for p in parts)


def baseline_name(baseline: str, seed: int, params: Mapping[str, Any], *, control: bool = False) -> str:
    """The name of a method's matched baseline at `seed` trained with the recipe of `params`: `finetune-s0`,
    `model-doctor-control-s1`, `finetune-lr0.05-s0`."""
    return f"{baseline}{'-control' if control else ''}{recipe_tag(params)}-s{seed}"
