"""The Overview's banner: what the run's checks found, over its verdict; nothing when none fired."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Static

from tests.ui.helpers import SIZE, MakeApp, ready
from tltui.ui.tabs.overview import OverviewTab

FINDING = {
    "check": "input-gradients",
    "stage": "pre-flight",
    "model": "probe",
    "message": "3 of 16 inputs correctly classified have an input gradient of exactly zero",
    "acknowledged": False,
}


def with_checks(run: Path, *findings: dict[str, object]) -> Path:
    path = run / "summary.json"
    s = json.loads(path.read_text())
    s["checks"] = {
        "ran": ["input-gradients"],
        "models": ["teacher", "probe"],
        "sample": 16,
        "findings": list(findings),
        "acknowledged": [],
        "seconds": 0.1,
    }
    path.write_text(json.dumps(s))
    return run


async def test_a_finding_shows_over_the_verdict_and_a_clean_run_shows_none(
    make_app: MakeApp, recorded_run: Path, tmp_path: Path
) -> None:
    app = make_app(with_checks(recorded_run, FINDING))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        banner = pilot.app.workbench.query_one(OverviewTab).query_one("#ov-checks", Static)
        lines = str(banner.render()).splitlines()
        assert banner.display and "-hidden" not in banner.classes
        assert lines[0].startswith("Checks: 1 finding to look at before trusting these numbers")
        assert lines[1].startswith("⚠ check input-gradients (probe): 3 of 16 inputs")
        view = pilot.app.workbench.query_one(OverviewTab)
        view.show_run(None)
        assert "-hidden" in banner.classes
