"""`tltui jobs` end to end in a subprocess: list, show, logs (and --follow), cancel, unknown ids."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.exits import bad_input_line
from tltui.jobs import api

pytestmark = pytest.mark.e2e  # every test runs the real `tltui jobs` command

REPO = Path(__file__).resolve().parents[2]
FAKE = "tests.jobs.fake_jobs"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Workers started by these tests import the fake jobs from the repo root.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("TLTUI_WORKSPACE", raising=False)
    return tmp_path / "ws"


def tltui(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "tltui.cli", "jobs", *args, "--workspace", str(ws)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_list_show_logs(ws: Path) -> None:
    done = api.submit(f"{FAKE}:count", {"n": 2}, study="demo", variant="ft", device="cpu", workspace=ws)
    failed = api.submit(f"{FAKE}:bad_input", device="cpu", workspace=ws)
    api.wait(done, ws, timeout=20)
    api.wait(failed, ws, timeout=20)

    out = tltui(ws)  # `jobs` alone lists
    assert out.returncode == 0, out.stderr
    header, *rows = out.stdout.splitlines()
    assert header.split() == [
        "ID",
        "KIND",
        "STUDY",
        "VARIANT",
        "STATUS",
        "PROG",
        "ETA",
        "DEVICE",
        "AGE",
        "TIME",
    ]
    assert len(rows) == 2 and rows[0].startswith(failed) and rows[1].startswith(done)
    assert rows[1].split()[2:8] == ["demo", "ft", "done", "100%", "-", "cpu"]
    assert header.index("STATUS") == rows[0].index("failed")  # aligned columns
    assert tltui(ws, "list", "--status", "failed").stdout.count("\n") == 2

    show = tltui(ws, "show", done[:-1])  # a unique prefix will do
    assert show.returncode == 0, show.stderr
    assert f"id        {done}" in show.stdout and "status    done" in show.stdout
    assert str(api.run_dir(done, ws)) in show.stdout
    show_failed = tltui(ws, "show", failed).stdout
    assert "error     Invalid data: no images under data/train" in show_failed

    logs = tltui(ws, "logs", done)
    assert logs.returncode == 0 and "hello from the job" in logs.stdout


def test_unknown_id_is_a_one_line_error(ws: Path) -> None:
    out = tltui(ws, "show", "nope")
    assert bad_input_line(out.returncode, out.stderr).startswith("tltui: job error: no job 'nope'")
    out = tltui(ws, "cancel")
    assert "needs a job id" in bad_input_line(out.returncode, out.stderr)


def test_cancel_and_follow_logs(ws: Path) -> None:
    job_id = api.submit(f"{FAKE}:forever", device="cpu", workspace=ws)
    cmd = [sys.executable, "-m", "tltui.cli", "jobs", "logs", job_id, "--follow", "--workspace", str(ws)]
    follower = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while "forever job up" not in api.logs(job_id, ws) and time.monotonic() < deadline:
        time.sleep(0.01)
    out = tltui(ws, "cancel", job_id, "--grace", "1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{job_id} cancelled"
    assert api.get(job_id, ws).status == "cancelled"
    stdout, stderr = follower.communicate(timeout=20)
    assert follower.returncode == 0, stderr
    assert "forever job up" in stdout and "cancelled" in stdout
    assert tltui(ws, "cancel", job_id).stdout.strip() == f"{job_id} already cancelled"
