"""The Overview's DIR ladder and AutoAttack tables: shown when the run has them, hidden when it does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from tests.ui.helpers import SIZE, MakeApp, ready
from tltui.base.catalogue.attacks import LADDER
from tltui.ui.model.robustness_rows import RUNG_COLUMNS, autoattack_rows, ladder_headline, ladder_rungs

NAMES = ("scratch", "probe", "finetune")


def _iv(value: float) -> dict[str, Any]:
    return {"value": value, "lo": value - 0.05, "hi": value + 0.05, "includes": "images"}


def ladder() -> dict[str, Any]:
    rungs = [
        {
            "name": rung, "objective": "…", "space": "logits" if rung.startswith("logit") else "features",
            "eps": 0.1, "alpha": 0.02, "steps": 10, "restarts": 1, "random_start": True, "norm": "linf",
            "scale": None, "seconds": 1.5, "cached": i == 2,
            "variants": {n: _iv(0.1 * (i + 1) if n != "scratch" else 0.1) for n in NAMES},
        }
        for i, rung in enumerate(LADDER)
    ]  # fmt: skip
    worst = {n: {"rung": "logit-apgd", "value": _iv(0.6), "any_rung": _iv(0.7)} for n in NAMES}
    return {"rungs": rungs, "worst": worst}


def autoattack() -> dict[str, Any]:
    stages = [
        {"name": "apgd-ce", "robust_acc": 0.3},
        {"name": "apgd-t", "robust_acc": 0.25},
        {"name": "fab-t", "robust_acc": 0.25},
        {"name": "square", "robust_acc": 0.25},
    ]
    v = {"clean_acc": 0.9, "robust_acc": 0.25, "attacks": stages}
    block = {"preset": "autoattack", "eps": 0.1, "norm": "linf", "steps": 100, "restarts": 1, "targets": 9}
    return {**block, "queries": 5000, "seed": 0, "variants": {n: v for n in NAMES}}


def test_the_rows_name_the_worst_rung_and_every_rung_with_its_budget() -> None:
    head = ladder_headline(ladder())  # type: ignore[arg-type]
    assert head[0] == ("scratch", "0.600 [0.550, 0.650]", "logit-apgd", "0.700 [0.650, 0.750]")
    rows = ladder_rungs(ladder(), "probe")  # type: ignore[arg-type]
    assert [r[0] for r in rows] == list(LADDER) and len(rows[0]) == len(RUNG_COLUMNS)
    assert rows[2][6] == "1.5 (cached)" and rows[5][-1] == "0.600 [0.550, 0.650]"
    columns, rows = autoattack_rows(autoattack())  # type: ignore[arg-type]
    assert columns == ["variant", "clean", "APGD-CE", "APGD-T", "FAB-T", "Square", "worst case"]
    assert rows[0] == ("scratch", "0.900", "0.300", "0.250", "0.250", "0.250", "0.250")


async def test_the_overview_shows_the_ladder_and_autoattack_when_recorded(
    make_app: MakeApp, run_dir: Path
) -> None:
    """(Without them the layout is the snapshots' own: tests/ui/test_snapshots.py.)"""
    summary = json.loads((run_dir / "summary.json").read_text())
    (run_dir / "summary.json").write_text(
        json.dumps({**summary, "dir_ladder": ladder(), "autoattack": autoattack()})
    )
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        table = app.workbench.query_one("#ov-ladder", DataTable)
        assert not table.has_class("-hidden") and table.row_count == len(NAMES)
        rungs = app.workbench.query_one("#ov-rungs", DataTable)
        assert rungs.row_count == len(LADDER) and "scratch" in str(
            app.workbench.query_one("#ov-rungs-title").render()
        )
        table.focus()
        await pilot.press("down")
        await pilot.pause()
        assert "probe" in str(app.workbench.query_one("#ov-rungs-title").render())
        assert (
            rungs.get_row_at(5)[-1] == "0.600 [0.550, 0.650]"
            and rungs.get_row_at(0)[-1] == "0.100 [0.050, 0.150]"
        )
        assert app.workbench.query_one("#ov-aa", DataTable).row_count == len(NAMES)
