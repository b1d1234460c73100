"""The Pareto tab: interval crosses of every variant and seed group, the front, one verdict line per method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Static

from tests.base.rundirs import seed_run
from tests.ui.helpers import SIZE, MakeApp, ready
from tltui.ui.tabs import TABS
from tltui.ui.tabs.pareto import NO_METHOD, ParetoTab
from tltui.ui.widgets.chart import Chart

KEY = str(list(TABS).index("pareto") + 1)


async def _shown(pilot: Any) -> ParetoTab:
    await ready(pilot)
    await pilot.press(KEY)
    view = pilot.app.workbench.query_one(ParetoTab)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert view.ready
    return view


async def test_the_demo_run_shows_its_three_models_and_no_method(
    make_app: MakeApp, recorded_run: Path
) -> None:
    app = make_app(recorded_run)
    async with app.run_test(size=SIZE) as pilot:
        view = await _shown(pilot)
        text = str(view.query_one("#pa-verdicts", Static).render())
        assert NO_METHOD in text and "study: finetune DIR " in text
        points: DataTable[Any] = view.query_one("#pa-points", DataTable)
        assert points.row_count == 3
        spec = view.query_one("#pa-chart", Chart).spec
        assert spec is not None and {"scratch", "probe", "finetune"} <= {
            s.label.rstrip("*") for s in spec.series
        }
        assert view.export_table() is not None


async def test_a_seed_group_is_one_point_with_a_verdict(make_app: MakeApp, tmp_path: Path) -> None:
    run = seed_run(tmp_path / "run", "remos", 3, effect=0.3)
    app = make_app(run)
    async with app.run_test(size=SIZE) as pilot:
        view = await _shown(pilot)
        text = str(view.query_one("#pa-verdicts", Static).render())
        assert text.splitlines()[0].endswith("beyond noise, 3 seeds")
        points: DataTable[Any] = view.query_one("#pa-points", DataTable)
        keys = [k.value for k in points.rows]
        assert "remos" in keys and "remos-s0" not in keys
        assert view.query_one("#pa-methods", DataTable).row_count == 1


async def test_the_overview_says_one_line_per_method(make_app: MakeApp, tmp_path: Path) -> None:
    from tltui.ui.tabs.overview import OverviewTab

    run = seed_run(tmp_path / "run", "remos", 3, effect=0.3)
    app = make_app(run)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        view = pilot.app.workbench.query_one(OverviewTab)
        assert view.verdict_ready
        lines = str(view.query_one("#ov-verdict", Static).render()).splitlines()
        assert len(lines) == 2, lines  # one method, one study line: not a sentence per variant
        assert (
            lines[0].startswith("remos: −")
            and lines[0].endswith("; beyond noise, 3 seeds")
            and lines[1].startswith("study: finetune DIR ")
        )


def test_the_board_of_a_study_state_joins_its_runs(tmp_path: Path) -> None:
    from tests.base.rundirs import make_run
    from tltui.ui.model.board import run_board
    from tltui.ui.model.rundata import RunData

    first = make_run(tmp_path / "analyze", {"scratch": (0.9, 0.1, 1), "finetune": (0.9, 0.4, 2)})
    derived = {"dare": {"kind": "treatment", "method": "dare", "base": "finetune", "params": {}}}
    models = {"finetune": (0.9, 0.4, 2), "dare": (0.88, 0.2, 3), "old": (0.5, 0.5, 4)}
    second = make_run(tmp_path / "treat", models, derived, produced="dare")
    state = RunData.load(first).merged(RunData.load(second), names=["dare"])
    b = run_board(state)
    assert [p.name for p in b.points] == ["scratch", "finetune", "dare"]  # `old` is not in the state
    assert [c.method for c in b.comparisons] == ["dare"] and run_board(state) is b  # cached
