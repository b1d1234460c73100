"""Fixtures for the jobs tests: a fresh workspace per test, and no job left running after it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tltui.jobs import api

REPO = Path(__file__).resolve().parents[2]
# Fake jobs are named "tests.jobs.fake_jobs:NAME"; workers (and these tests) import them from the repo root.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A workspace of its own, also the default one; workers can import tests.jobs.fake_jobs."""
    workspace = tmp_path / "ws"
    monkeypatch.setenv("TLTUI_WORKSPACE", str(workspace))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    yield workspace
    if (workspace / "jobs.sqlite").exists():
        for record in api.list_jobs(workspace):
            if not record.final:
                api.cancel(record.id, workspace, grace=0.5)
