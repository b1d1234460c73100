"""One --out, one job: a second job for an --out another job is writing is refused in one line, exit 2."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faults.conftest import holding, refused, tltui
from tests.quick import QUICK_ATTACK

HOLDER = """
import sys, time
from pathlib import Path
from tltui.base.outlock import hold_out
hold_out(Path(sys.argv[1]), Path(sys.argv[2]))
print("held", flush=True)
time.sleep(60)
"""


def test_an_out_held_by_a_live_job_is_refused_and_freed_when_it_dies(tmp_path: Path) -> None:
    from tltui.base.errors import ResultsError
    from tltui.base.outlock import hold_out, release_out

    ws, out = tmp_path / "ws", tmp_path / "o"
    with holding(HOLDER, ws, out) as holder:
        with pytest.raises(
            ResultsError, match=rf"--out .*o: another job \(pid {holder.pid}\) is writing there"
        ):
            hold_out(ws, out)
        with pytest.raises(ResultsError):
            hold_out(ws, tmp_path / "x" / ".." / "o")  # the same directory by another spelling
    hold_out(ws, out)  # SIGKILLed: the kernel freed its lock
    release_out(ws, out)


@pytest.mark.e2e
def test_two_jobs_for_one_out_one_is_refused(tmp_path: Path, demo_ws: Path) -> None:
    out = tmp_path / "o"
    env = {"TLTUI_CPU_SLOTS": "2"}
    args = ("analyze", "demo", "--out", str(out), "--workspace", str(demo_ws), *QUICK_ATTACK)
    first = tltui(*args, "--detach", env=env)
    assert first.returncode == 0, first.stderr
    job = first.stdout.strip()
    second = tltui(*args, env=env)
    deadline = time.monotonic() + 300
    while "status    running" in (
        shown := tltui("jobs", "show", job, "--workspace", str(demo_ws)).stdout
    ) or ("status    queued" in shown):
        assert time.monotonic() < deadline
        time.sleep(0.5)
    if second.returncode == 0:  # the second took the --out first: the detached one must have been refused
        assert "status    failed" in shown and "another job" in shown, shown
    else:
        refused(second, "another job", "is writing there")
        assert "status    done" in shown, shown
    assert (out / "summary.json").is_file()
