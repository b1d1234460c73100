"""Fixtures for the jobs tests: a fresh workspace per test, and no job left running after it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Fake jobs are named "tests.jobs.fake_jobs:NAME"; workers (and these tests) import them from the repo root.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.jobs.helpers import job_workspace  # noqa: E402  (after the path it needs)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from job_workspace(tmp_path, monkeypatch)
