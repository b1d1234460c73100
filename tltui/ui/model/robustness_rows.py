"""The rows the Overview shows for the DIR ladder and the AutoAttack preset (summary.json blocks, Textual-free)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tltui.base.rundir.interval import Interval
from tltui.base.rundir.shape_attacks import AutoAttackBlock, LadderBlock
from tltui.ui.export import fmt_num

AA_NAMES = {"apgd-ce": "APGD-CE", "apgd-t": "APGD-T", "fab-t": "FAB-T", "square": "Square"}


def interval_text(block: Mapping[str, Any] | None) -> str:
    """`0.412 [0.353, 0.471]`, or `–` when the block is missing."""
    iv = Interval.from_json(block)
    if iv is None:
        return "–"
    return f"{fmt_num(iv.value)} [{fmt_num(iv.lo)}, {fmt_num(iv.hi)}]"


def ladder_headline(block: LadderBlock) -> list[tuple[str, str, str, str]]:
    """Per variant: its worst-rung DIR with the interval, that rung, and the DIR of any rung (per image)."""
    worst = block.get("worst") or {}
    return [
        (name, interval_text(w.get("value")), str(w.get("rung", "?")), interval_text(w.get("any_rung")))
        for name, w in worst.items()
        if isinstance(w, Mapping)
    ]


def ladder_rungs(block: LadderBlock, variant: str) -> list[tuple[str, ...]]:
    """One row per rung, weakest first: its budget, runtime, and `variant`'s DIR under it with the interval."""
    rows: list[tuple[str, ...]] = []
    for r in block.get("rungs") or []:
        if not isinstance(r, Mapping):
            continue
        seconds = fmt_num(r.get("seconds"), 1) + (" (cached)" if r.get("cached") else "")
        budget = (fmt_num(r.get("eps")), fmt_num(r.get("alpha")), str(r.get("steps", "?")))
        rows.append(
            (
                str(r.get("name", "?")),
                str(r.get("space", "?")),
                *budget,
                "yes" if r.get("random_start") else "no",
                seconds,
                interval_text((r.get("variants") or {}).get(variant)),
            )
        )
    return rows


RUNG_COLUMNS = ("rung", "on", "ε", "α", "steps", "random start", "seconds", "DIR [95 %]")


def autoattack_title(block: AutoAttackBlock) -> str:
    """What the preset ran: ε, norm, and the budget of each attack."""
    return (
        f"AutoAttack (standard, {block.get('norm', '?')} ε = {fmt_num(block.get('eps'))}): robust accuracy after "
        f"each attack, per image the worst case · APGD-CE/APGD-T {block.get('steps', '?')} iterations, "
        f"{block.get('restarts', '?')} restart(s), {block.get('targets', '?')} targets at most; FAB-T the same; "
        f"Square {block.get('queries', '?')} queries"
    )


def autoattack_rows(block: AutoAttackBlock) -> tuple[list[str], list[tuple[str, ...]]]:
    """Per variant: clean accuracy, the accuracy left after each attack (cumulative), and the worst case."""
    columns = ["variant", "clean", *AA_NAMES.values(), "worst case"]
    rows = []
    for name, v in (block.get("variants") or {}).items():
        after: dict[str, Mapping[str, Any]] = {
            str(a.get("name")): a for a in v.get("attacks") or [] if isinstance(a, Mapping)
        }
        cells = [
            "skipped" if "skipped" in after.get(k, {}) else fmt_num(after.get(k, {}).get("robust_acc"))
            for k in AA_NAMES
        ]
        rows.append((name, fmt_num(v.get("clean_acc")), *cells, fmt_num(v.get("robust_acc"))))
    return columns, rows
