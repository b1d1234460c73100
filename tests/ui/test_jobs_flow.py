"""The session flow with real job processes (fake job kinds): autostart, switch to results, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.ui.helpers import SIZE, MakeApp, fake, ready, wait_until
from tltui.jobs import api
from tltui.ui.commands import palette_commands
from tltui.ui.screens.confirm import ConfirmScreen
from tltui.ui.widgets.jobs_panel import JobsPanel


async def test_demo_starts_its_analysis_and_shows_it_when_done(
    make_app: MakeApp, real_run: Path, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLTUI_UI_FAKE_SRC", str(real_run))
    app = make_app(None, autostart=True, analyze_kind=fake("analyze"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.session.analysis_job is not None)
        job_id = app.session.analysis_job
        assert job_id is not None
        await wait_until(pilot, lambda: app.session.run is not None)
        assert app.session.run is not None
        assert app.session.run.run_dir == api.run_dir(job_id, env).resolve()
        await pilot.pause()
        assert app.workbench.query_one("#ov-metrics", DataTable).row_count == len(app.session.run.variants)
        assert api.get(job_id, env).status == "done"


async def test_latest_finished_analysis_is_opened(
    make_app: MakeApp, real_run: Path, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLTUI_UI_FAKE_SRC", str(real_run))
    job_id = api.submit(fake("analyze"), {}, study="demo", device="cpu", workspace=env)
    assert api.wait(job_id, env, timeout=30).status == "done"
    app = make_app(None, analyze_kind=fake("analyze"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.session.run is not None
        assert app.session.run.run_dir == api.run_dir(job_id, env).resolve()


@pytest.mark.parametrize("way", ["panel key", "palette"])
async def test_cancelling_a_running_job_asks_first(
    make_app: MakeApp, run_dir: Path, env: Path, way: str
) -> None:
    job_id = api.submit(fake("forever"), {}, study="demo", device="cpu", workspace=env)
    app = make_app(run_dir)
    try:
        async with app.run_test(size=SIZE) as pilot:
            panel = app.workbench.query_one(JobsPanel)
            await wait_until(pilot, lambda: (panel.poll(), api.get(job_id, env).status == "running")[1])
            panel.poll()
            table = panel.query_one(DataTable)

            async def ask() -> None:
                if way == "palette":
                    [cancel] = [
                        run for title, _, run in palette_commands(app) if title.startswith("Cancel job")
                    ]
                    cancel()
                else:
                    table.focus()
                    await pilot.pause()
                    assert panel.selected_job_id() == job_id
                    await pilot.press("x")
                await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))

            await ask()
            await pilot.press("n")
            await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
            assert api.get(job_id, env).status == "running"
            await ask()
            await pilot.press("y")
            await wait_until(pilot, lambda: api.get(job_id, env).status == "cancelled")
            panel.poll()
            await pilot.pause()
            assert "cancelled" in [str(c) for c in table.get_row(job_id)]
    finally:
        if not api.get(job_id, env).final:
            api.cancel(job_id, env, grace=0.5)


async def test_a_foreign_run_is_announced_and_offered_never_switched_to(
    make_app: MakeApp, run_dir: Path, real_run: Path, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLTUI_UI_FAKE_SRC", str(real_run))
    app = make_app(run_dir, analyze_kind=fake("analyze"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        panel = app.workbench.query_one(JobsPanel)
        panel.poll()
        shown = app.session.run
        # Started elsewhere (as `tltui analyze --detach` would) and over before the panel looks again.
        job_id = api.submit(fake("analyze"), {}, study="demo", device="cpu", workspace=env)
        assert api.wait(job_id, env, timeout=30).status == "done"
        panel.poll()
        await wait_until(pilot, lambda: app.session.newer != "")
        assert app.session.run is shown  # not switched under the user
        assert any(n.title == "Newer results" for n in app._notifications)
        assert "newer:" in app.workbench.query_one("#status").note
        await pilot.press("ctrl+r")  # the offer taken: the study state, which holds the new run
        await wait_until(pilot, lambda: app.session.run is not shown)
        assert app.session.run is not None and app.session.showing_state
        assert app.session.run.run_dir == api.run_dir(job_id, env).resolve()
        assert app.session.newer == ""
