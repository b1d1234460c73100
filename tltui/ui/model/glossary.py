"""What the workbench's words and numbers mean (F1 lists them) and how a difference is written."""

from __future__ import annotations

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


def delta(value: object, base: object, digits: int = 3) -> str:
    """`value` with its difference to `base`: `0.922 (−0.011)`; just the value when either is missing."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "–"
    if isinstance(base, bool) or not isinstance(base, (int, float)):
        return f"{value:.{digits}f}"
    d = value - base
    sign = "+" if d > 0 else "−" if d < 0 else "±"
    return f"{value:.{digits}f} ({sign}{abs(d):.{digits}f})"
