"""Reopening the workbench: a saved slicing preview, and the study state (every variant's newest diagnosis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.ui.helpers import SIZE, MakeApp, fake, ready, wait_until
from tltui.jobs import api
from tltui.ui.model.state import run_label
from tltui.ui.tabs.mitigate import MitigateTab
from tltui.ui.widgets.chart import Chart


def _done(kind: str, env: Path, **params: object) -> str:
    job_id = api.submit(fake(kind), dict(params), study="demo", device="cpu", workspace=env)
    assert api.wait(job_id, env, timeout=30).status == "done"
    return job_id


async def test_a_saved_preview_is_shown_on_start_without_a_crash(
    make_app: MakeApp, run_dir: Path, env: Path
) -> None:
    """Mitigate → Preview cut → quit → reopen used to look the Mitigate view up before it existed."""
    _done("preview", env)
    app = make_app(run_dir, preview_kind=fake("preview"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        view = app.workbench.query_one(MitigateTab)
        await wait_until(pilot, lambda: view.preview is not None)
        chart = view.query_one("#mt-preview-chart", Chart)
        assert chart.display and chart.spec is not None
        assert app.return_code is None  # still running: nothing crashed


async def test_reopening_shows_mitigations_beside_a_newer_analysis(
    make_app: MakeApp, real_run: Path, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mitigation, then a newer analysis without it: the reopened workbench shows both, each row naming the
    run it came from."""
    monkeypatch.setenv("TLTUI_UI_FAKE_SRC", str(real_run))
    produced = _done("produce", env, name="remos")
    analysis = _done("analyze", env)
    app = make_app(None, analyze_kind=fake("analyze"), produce_kinds=(fake("produce"),))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        run = app.session.run
        assert run is not None and app.session.showing_state
        assert run.run_dir == api.run_dir(analysis, env).resolve()
        assert "remos" in run.variants
        assert run.source("remos") == run_label(fake("produce"), produced)
        assert run.source("finetune") == run_label(fake("analyze"), analysis)
        table = app.workbench.query_one("#ov-metrics", DataTable)
        await wait_until(pilot, lambda: table.row_count == len(run.variants))
        assert run_label(fake("produce"), produced) in [str(c) for c in table.get_row("remos")]
