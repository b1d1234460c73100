"""The budget line under each view's robustness numbers: which attack made them, in tltui/base/budget.py's one format.

Each view names the numbers it shows (docs/attacks.md "Budgets on record"); no view prints a robustness number or
an adversarial input without the attack, ε, steps or queries, restarts and random start that produced it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tltui.base.budget import budget_text
from tltui.base.names import shown
from tltui.base.rundir import RunSummary


def white_box(info: RunSummary | None) -> str:
    """The white-box attack's budget line (AAI, DR, Robust, ε-curves, each variant's own adversarial input)."""
    return shown(budget_text(info.attack if info is not None else None))


def teacher(info: RunSummary | None, block: Mapping[str, Any] | None = None) -> str:
    """The teacher attack's budget line (DIR and every teacher-crafted input): `block` where a file records its
    own (interventions.json), else the run's."""
    return shown(budget_text(block or (info.teacher_attack if info is not None else None)))


def overview(info: RunSummary | None) -> str:
    return f"AAI, DR, Robust, ε-curves: {white_box(info)}\nDIR: teacher attack {teacher(info)}"


def instances(info: RunSummary | None) -> str:
    return (
        f"adv: white-box attack {white_box(info)}\n"
        f"t-adv, fooled, |δ|, the projection's twins: teacher attack {teacher(info)}"
    )


def layers(info: RunSummary | None) -> str:
    return f"adversarial deviation: teacher attack {teacher(info)}"


def features(info: RunSummary | None) -> str:
    return f"adv maps: the teacher-crafted input, teacher attack {teacher(info)}"


def comparison(info: RunSummary | None) -> str:
    return f"AAI: white-box attack {white_box(info)}\nDIR: teacher attack {teacher(info)}"


def interventions(info: RunSummary | None, block: Mapping[str, Any] | None) -> str:
    return f"DIR: teacher attack {teacher(info, block)}"
