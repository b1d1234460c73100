"""The Mitigate tab's sweep row as job parameters: the form's method and values, swept over the learning rates."""

from __future__ import annotations

from typing import Any

from tltui.base.errors import ParamError
from tltui.base.sweep import parse_param

DEFAULT_SEEDS = 3
"""A sweep from the form runs this many seeds when the form says one (a verdict needs 3)."""


def sweep_params(params: dict[str, Any], values: str) -> dict[str, Any]:
    """`params` of the Mitigate form (method and its values) as a `sweep` job over the learning rates in `values`
    (`0.005, 0.01, 0.05`); a one-line ParamError names what is wrong (as `tltui sweep` would)."""
    if params.get("method") == "finetune":
        raise ParamError("Sweep: finetune is the baseline itself; choose a method to compare with it")
    name, grid = parse_param(f"lr={values.replace(' ', '')}")
    if len(grid) < 2:
        raise ParamError("Sweep: give two learning rates or more, separated by commas")
    seeds = int(params.get("seeds") or 1)
    return {
        **params,
        "seeds": seeds if seeds > 1 else DEFAULT_SEEDS,
        "tune_baseline": False,
        "family": "mitigation",
        "sweep": {name: grid},
    }
