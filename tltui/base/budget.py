"""The budget an attack really ran (steps or queries, restarts, random start) and the one line that names it.

The study's `[attack]` says what it asks for; some attacks run otherwise (FGSM takes one step, torchattacks'
CW and DeepFool at least 10, Square counts queries, APGD and Square always start at random, our `feature`
teacher attack too). Every robustness number is shown with this line (docs/attacks.md "Budgets on record")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tltui.base.rundir.shape import BudgetBlock

Rule = Callable[[int, bool], BudgetBlock]


def _steps(steps: int, random_start: bool) -> BudgetBlock:
    return BudgetBlock(steps=steps, queries=None, restarts=1, random_start=random_start)


def _fixed(n: int | None = None, floor: int = 0, random: bool | None = None, queries: bool = False) -> Rule:
    def rule(steps: int, random_start: bool) -> BudgetBlock:
        ran = n if n is not None else max(steps, floor)
        return BudgetBlock(
            steps=None if queries else ran,
            queries=ran if queries else None,
            restarts=1,
            random_start=random_start if random is None else random,
        )

    return rule


RULES: dict[str, Rule] = {
    "pgd": _steps,
    "fgsm": _fixed(1, random=False),
    "ta-fgsm": _fixed(1, random=False),
    "ta-pgd": _steps,
    "ta-cw": _fixed(floor=10, random=False),
    "ta-apgd": _fixed(random=True),
    "ta-deepfool": _fixed(floor=10, random=False),
    "ta-mifgsm": _fixed(random=False),
    "ta-square": _fixed(floor=100, random=True, queries=True),
}
"""White-box attack name -> how its budget runs (tltui/core/attacks/zoo.py builds the torchattacks ones; a test
checks the two agree). An attack not listed runs its steps as configured, one restart."""

TEACHER_RULES: dict[str, Rule] = {"feature": _fixed(random=True)}
"""Teacher attacks that run otherwise than configured (`feature` always starts at random)."""


def run_budget(name: str, steps: int, random_start: bool, *, teacher: bool = False) -> BudgetBlock:
    """The budget attack `name` runs when asked for `steps` and `random_start`."""
    rule = (TEACHER_RULES if teacher else RULES).get(name, _steps)
    return rule(steps, random_start)


NORMS = {"linf": "L∞", "l2": "L2"}


def budget_text(block: Mapping[str, Any] | None) -> str:
    """`pgd L∞ ε=0.1 α=0.02 · 10 steps · 1 restart · no random start` for an attack block of summary.json (its
    `budget` where recorded, else its own keys); `—` when there is none."""
    if not block:
        return "—"
    ran: Mapping[str, Any] = block.get("budget") or {
        "steps": block.get("steps"),
        "queries": None,
        "restarts": 1,
        "random_start": block.get("random_start"),
    }
    norm = NORMS.get(str(block.get("norm", "linf")), str(block.get("norm")))
    head = f"{block.get('name')} {norm} ε={_num(block.get('eps'))}"
    if block.get("space") == "normalized":
        head += " (normalised units)"
    if ran.get("queries") is None:
        head += f" α={_num(block.get('alpha'))}"
    count = f"{ran['queries']} queries" if ran.get("queries") is not None else f"{ran.get('steps')} steps"
    restarts = ran.get("restarts", 1)
    start = "random start" if ran.get("random_start") else "no random start"
    return f"{head} · {count} · {restarts} restart{'s' if restarts != 1 else ''} · {start}"


def budget_record(attack: Mapping[str, Any] | None, teacher: Mapping[str, Any] | None) -> dict[str, str]:
    """What an export carries about its numbers: each attack's budget line."""
    return {"white_box_attack": budget_text(attack), "teacher_attack": budget_text(teacher)}


def _num(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "—"
