"""Helpers for the jobs tests: a job workspace, fake job kinds and polling with a deadline."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tltui.jobs import api
from tltui.jobs.store import Store

FAKE = "tests.jobs.fake_jobs"
REPO = Path(__file__).resolve().parents[2]


def job_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A workspace of its own, also the default one, whose workers can import the fake jobs; no job is left
    running after the test (body of the `ws` fixtures)."""
    workspace = tmp_path / "ws"
    monkeypatch.setenv("TLTUI_WORKSPACE", str(workspace))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    yield workspace
    Store._ready.discard(workspace / "jobs.sqlite")  # a test may have damaged or removed the index
    for record in api.list_jobs(workspace) if (workspace / "runs").exists() else []:
        if not record.final:
            api.cancel(record.id, workspace, grace=0.5)


def fake(name: str) -> str:
    """The kind string of a job function in tests/jobs/fake_jobs.py."""
    return f"{FAKE}:{name}"


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, poll: float = 0.01) -> None:
    """Poll until `predicate()` is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
        time.sleep(poll)


def running(job_id: str, ws: Path) -> Callable[[], bool]:
    return lambda: api.get(job_id, ws).status == "running"
