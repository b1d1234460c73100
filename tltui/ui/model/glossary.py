"""What the workbench's words and numbers mean (F1 lists them; the views' one-line verdicts are built here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tltui.base.rundir import metrics as M

GLOSSARY: tuple[tuple[str, str], ...] = (
    *((m.label, m.description) for m in (M.AOI, M.AAI, M.DR, M.ROBUST, M.MACRO_F1, M.DIR)),
    ("teacher-crafted", "an adversarial image computed on the teacher only (the attacker lacks the student)"),
    ("white-box", "an adversarial image computed on the variant itself"),
    ("ε", "the attack budget: the largest change of a pixel, in pixel units (inputs in [0, 1])"),
    (
        "fooled",
        "an instance the variant got right that its teacher-crafted twin turns wrong (DIR's numerator)",
    ),
    ("CKA", "linear centred kernel alignment of two models' features (1: the same up to rotation and scale)"),
    (
        "Δ",
        "a variant's number minus its baseline's (the variant it was made from, else the study's finetune)",
    ),
    (
        "SPD / EOD / AAOD",
        "fairness gaps between the two groups: statistical parity, equal opportunity, "
        "average absolute odds (0: no gap)",
    ),
    (
        "run",
        "a job's results folder, named `kind id` (`analyze 151504-ad13`); the Overview joins the newest "
        "run of every variant",
    ),
)

BASELINES = ("scratch",)
"""Variants trained without the teacher: the DIR any model has, the floor inheritance is read against."""


def pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def verdicts(variants: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One sentence per variant: how much of its correct answers teacher-crafted inputs take, against the
    variant trained without the teacher when the study has one."""
    floor_name = next((b for b in BASELINES if b in variants), "")
    floor = M.DIR.of(variants.get(floor_name)) if floor_name else None
    lines = []
    for name, v in variants.items():
        dir_ = M.DIR.of(v)
        if dir_ is None:
            lines.append(f"{name}: no DIR in this run")
            continue
        text = f"{name} loses {pct(dir_)} of its correct answers to teacher-crafted inputs"
        if floor is not None and name != floor_name:
            text += ": inherited" if dir_ - floor > 0.05 else ": no more than any model"
            text += f" ({floor_name}, trained without the teacher: {pct(floor)})"
        elif name == floor_name:
            text += " (trained without the teacher: the floor)"
        lines.append(text)
    return lines


def delta(value: object, base: object, digits: int = 3) -> str:
    """`value` with its difference to `base`: `0.922 (−0.011)`; just the value when either is missing."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "–"
    if isinstance(base, bool) or not isinstance(base, (int, float)):
        return f"{value:.{digits}f}"
    d = value - base
    sign = "+" if d > 0 else "−" if d < 0 else "±"
    return f"{value:.{digits}f} ({sign}{abs(d):.{digits}f})"
