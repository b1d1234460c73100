"""The line the comparison shows about its baseline: how `--tune-baseline` chose its recipe, and any warning."""

from __future__ import annotations

from tltui.base.rundir.shape import TuningRecord
from tltui.ui.model.rundata import RunData


def _recipe(t: TuningRecord) -> str:
    c = t["chosen"]
    grid = ", ".join(dict.fromkeys(f"{x['lr']:g}" for x in t["candidates"]))
    epochs = "" if c["epochs"] is None else f", epochs {c['epochs']}"
    return f"{t['trained']} tuned on {t['n_val']} validation images: lr {c['lr']:g}{epochs} (of lr {grid})"


def baseline_note(run: RunData | None) -> str:
    """`⚠ the finetune baseline may be undertrained …` (the run's warnings) and each tuned recipe, one clause
    each; empty when there is nothing to say."""
    if run is None:
        return ""
    parts = [f"⚠ {w}" for w in run.info.warnings]
    tunings = [run.info.tuning] + [rec.get("tuning") for rec in run.derived.values()]
    seen: list[str] = []
    for t in tunings:
        if isinstance(t, dict) and "chosen" in t and (text := _recipe(t)) not in seen:
            seen.append(text)
    return "; ".join(parts + seen)
