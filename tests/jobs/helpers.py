"""Helpers for the jobs tests: fake job kinds and polling with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tltui.jobs import api

FAKE = "tests.jobs.fake_jobs"


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
