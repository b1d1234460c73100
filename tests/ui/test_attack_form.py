"""The attack form: its boxes come from the catalogue's attack specs and its values reach the analyze job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, Static

from tests.ui.helpers import SIZE, MakeApp, fake, ready, wait_until
from tltui.base.catalogue.attacks import attack_overrides
from tltui.ui.commands import attack_form, palette_commands
from tltui.ui.screens.attack_form import AttackForm


async def test_the_attack_form_checks_and_submits_its_values(
    make_app: MakeApp, recorded_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(recorded_run, analyze_kind=fake("analyze"))
    sent: list[tuple[str, dict[str, Any]]] = []
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "Run analysis with attack settings…" in [t for t, _, _ in palette_commands(app)]
        # what would be submitted, without starting a job (a real one would outlive the test's app)
        monkeypatch.setattr(app.session, "submit", lambda kind, params, variant=None: (kind, params))
        monkeypatch.setattr(app, "_submit", lambda submit, what: sent.append(submit()))
        attack_form(app)
        await pilot.pause()
        form = app.screen
        assert isinstance(form, AttackForm)
        for key in attack_overrides():  # one box per attack parameter, from the specs
            assert form.query_one(f"#af-{key}", (Input, Select)) is not None
        assert form.query_one("#af-eps", Input).placeholder == "0.1"  # the demo study's ε
        form.query_one("#af-eps", Input).value = "0"
        form.submit()
        await pilot.pause()
        error = str(form.query_one("#af-error", Static).render())
        assert error.startswith("--eps = 0: must be in (0, 100]") and "\n" not in error
        assert not sent and app.screen is form  # nothing submitted, the form stays
        form.query_one("#af-eps", Input).value = "0.05"
        form.query_one("#af-steps", Input).value = "3"
        form.query_one("#af-teacher_space", Select).value = "normalized"
        await pilot.click("#af-run")
        await wait_until(pilot, lambda: bool(sent))
        assert sent == [(fake("analyze"), {"eps": 0.05, "steps": 3, "teacher_space": "normalized"})]
        assert not isinstance(app.screen, AttackForm)
