"""The report's sections on how far to trust the attacks: the checks each run made, and the AutoAttack preset and
the DIR ladder where a run has them, in the Overview's rows (tltui/ui/model/robustness_rows.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tltui.base.budget import budget_text
from tltui.base.checklines import checks_head
from tltui.base.rundir.metrics import AAI
from tltui.base.verdicts import Source
from tltui.ui.export import fmt_num
from tltui.ui.model.robustness_rows import autoattack_rows, autoattack_title, interval_text, ladder_headline

Table = tuple[Sequence[str], list[Sequence[object]]]


def _name(src: Source) -> str:
    return f"`{Path(src.where).name}`"


def checks_md(sources: Sequence[Source]) -> list[str]:
    """One line per run that recorded its checks (what fired is under Warnings)."""
    lines = [f"- {_name(s)}: {checks_head(b)}" for s in sources if (b := s.summary.checks) is not None]
    if not lines:
        return []
    return [
        "## Checks",
        "",
        *lines,
        "",
        "What fired is under Warnings; each check: tltui's docs/checks.md.",
        "",
    ]


def autoattack_tables(src: Source) -> tuple[str, Table] | None:
    """The preset's budget line and, per variant, clean accuracy, the study's white-box AAI, the accuracy left
    after each of its attacks (cumulative) and the worst case."""
    block = src.summary.autoattack
    if block is None:
        return None
    columns, rows = autoattack_rows(block)
    aai = [fmt_num(AAI.of(src.summary.variants.get(str(r[0])))) for r in rows]
    white = src.summary.attack
    attack = white["name"] if white is not None else "white-box"
    head = [*columns[:2], f"{attack} (AAI)", *columns[2:]]
    return autoattack_title(block), (head, [(*r[:2], a, *r[2:]) for r, a in zip(rows, aai, strict=True)])


def ladder_tables(src: Source) -> tuple[Table, Table] | None:
    """Every rung with its budget, runtime and each variant's DIR [95 %]; then each variant's worst rung."""
    block = src.summary.dir_ladder
    if block is None:
        return None
    names = list(block.get("worst") or {})
    rungs: list[Sequence[object]] = []
    for r in block.get("rungs") or []:
        ran = {
            "steps": r.get("steps"),
            "restarts": r.get("restarts", 1),
            "random_start": r.get("random_start"),
        }
        budget = budget_text({**r, "budget": ran})
        seconds = fmt_num(r.get("seconds"), 1) + (" (cached)" if r.get("cached") else "")
        dirs = [interval_text((r.get("variants") or {}).get(n)) for n in names]
        rungs.append((r.get("name", "?"), r.get("space", "?"), budget, seconds, *dirs))
    head = ("rung (weakest first)", "on", "budget as run", "seconds", *(f"{n} DIR [95 %]" for n in names))
    worst = ("variant", "worst-rung DIR [95 %]", "rung", "any rung, per image (upper bound)")
    return (head, rungs), (worst, [tuple(row) for row in ladder_headline(block)])
