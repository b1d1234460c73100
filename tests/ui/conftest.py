"""UI test fixtures: a private copy of a real `tltui analyze demo` run, an isolated config and workspace,
and a factory for the workbench app."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tltui.ui.app import WorkbenchApp
from tltui.ui.model.jobs_client import JobsClient
from tltui.ui.model.session import Session
from tltui.ui.model.settings import Settings

REPO = Path(__file__).resolve().parents[2]
# Workers import the fake job kinds from the repo root.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.ui.helpers import MakeApp  # noqa: E402


@pytest.fixture(scope="session")
def real_run(request: pytest.FixtureRequest) -> Path:
    """A real analysis run: `$TLTUI_UI_TEST_RUN` when set (a dev shortcut), else the session's demo_run."""
    given = os.environ.get("TLTUI_UI_TEST_RUN")
    if given and (Path(given) / "summary.json").is_file():
        return Path(given)
    return Path(request.getfixturevalue("demo_run"))


RECORDED = Path(__file__).parent / "fixtures" / "demo-run"
"""A real `tltui analyze demo` run, recorded: the snapshots render its numbers, which would otherwise move with the
CPU's float reductions (README: Known limits). Re-record it with `tests/ui/fixtures/record.sh` when the format
changes."""


@pytest.fixture
def recorded_run(tmp_path: Path) -> Path:
    """A per-test copy of the recorded demo run (for snapshots: the same pixels on every machine)."""
    dst = tmp_path / "run"
    shutil.copytree(RECORDED, dst)
    return dst


@pytest.fixture
def run_dir(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A per-test copy of a run to read (tests export into it): the recorded demo run, so a test that only reads
    a run stays out of the e2e tier; the real run for a test that also runs jobs on the demo's models
    (`models_ws`), whose outputs must match those models."""
    src = Path(request.getfixturevalue("real_run")) if "models_ws" in request.fixturenames else RECORDED
    dst = tmp_path / "run"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("exports"))
    return dst


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh workspace and config dir per test; workers can import tests.ui.fake_jobs."""
    ws = tmp_path / "ws"
    monkeypatch.setenv("TLTUI_WORKSPACE", str(ws))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("NO_COLOR", raising=False)
    # A truecolor terminal, whatever the shell running the tests says (charts pick ANSI colours on 16).
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("TLTUI_ASCII", raising=False)
    return ws


@pytest.fixture
def make_app(env: Path) -> MakeApp:
    """Build a WorkbenchApp on the demo study; `run` shows that run directory."""

    def make(run: Path | None = None, settings: Settings | None = None, **session: Any) -> WorkbenchApp:
        session.setdefault("autostart", False)
        s = Session(study="demo", device="cpu", jobs=JobsClient(env), run_dir=run, **session)
        return WorkbenchApp(s, settings or Settings(gpu_stats=False))

    return make


@pytest.fixture
def models_ws(env: Path, real_run: Path, request: pytest.FixtureRequest) -> Path:
    """The per-test workspace holding the demo's cached models and adversarial examples (on-demand jobs
    then load instead of training): from `$TLTUI_UI_TEST_WORKSPACE` (a dev shortcut) or the session's."""
    given = os.environ.get("TLTUI_UI_TEST_WORKSPACE")
    src = Path(given) if given else Path(request.getfixturevalue("isolated_home"))
    for name in ("models", "adv"):
        if (src / name).is_dir():
            shutil.copytree(src / name, env / name)
    return env
