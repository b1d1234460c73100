"""SIGKILL of the worker at several points of an analysis never leaves a run that reads as finished."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.faults.conftest import tltui
from tltui.base import rundir
from tltui.jobs import api
from tltui.jobs.events import read_events
from tltui.jobs.spec import EVENTS_FILE

pytestmark = pytest.mark.e2e


def kill_at(job: str, ws: Path, phase: str, timeout: float = 120) -> None:
    """SIGKILL the job's worker as soon as its events show `phase`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = api.get(job, ws)
        assert not record.final, f"the job ended before {phase!r}: {record.status}"
        if record.pid and any(e.phase == phase for e in read_events(record.run_dir / EVENTS_FILE)):
            os.kill(record.pid, signal.SIGKILL)
            return
        time.sleep(0.02)
    raise AssertionError(f"no {phase!r} within {timeout} s")


def test_killed_runs_never_read_as_finished(demo_ws: Path, demo_run: Path, tmp_path: Path) -> None:
    common = ("--device", "cpu", "--workspace", str(demo_ws))
    out = tmp_path / "out"
    shutil.copytree(demo_run, out)  # an earlier finished run in --out: a killed re-run must leave it whole
    shutil.rmtree(demo_ws / "adv", ignore_errors=True)  # cold: the attacks run
    for phase in ("load models", "attacks", "levels"):
        proc = tltui("analyze", "demo", "--out", str(out), "--detach", *common)
        assert proc.returncode == 0, proc.stderr
        job = proc.stdout.strip()
        kill_at(job, demo_ws, phase)
        record = api.wait(job, demo_ws, timeout=60)
        assert record.status == "failed" and record.error_title == "Job died", phase
        # The earlier finished run stays, byte for byte: a killed re-run never replaces it, nor reads as finished.
        assert (out / rundir.SUMMARY).read_bytes() == (demo_run / rundir.SUMMARY).read_bytes(), phase
        assert rundir.job_results(record) is None
    proc = tltui("analyze", "demo", "--out", str(out), *common)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads((out / rundir.SUMMARY).read_text())["variants"]
    assert got == json.loads((demo_run / rundir.SUMMARY).read_text())["variants"]
