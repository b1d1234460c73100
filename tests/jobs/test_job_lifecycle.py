"""Jobs end to end: results, failures, dead processes, jobs that outlive their parent, cancel, OOM retry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.jobs.helpers import fake, running, wait_for
from tltui.base.runfiles import load_json
from tltui.jobs import api
from tltui.jobs.procs import process_alive
from tltui.jobs.runner import DIED
from tltui.jobs.store import Store


def test_job_runs_to_done_with_results_events_and_log(ws: Path) -> None:
    job_id = api.submit(fake("count"), {"n": 4}, study="demo", variant="ft", device="cpu", workspace=ws)
    record = api.wait(job_id, ws, timeout=20)
    assert (record.status, record.progress, record.study, record.variant) == ("done", 1.0, "demo", "ft")
    assert record.started is not None and record.ended is not None and record.ended >= record.started
    assert load_json(api.run_dir(job_id, ws) / "result.json") == {"n": 4, "device": "cpu", "torch": False}
    types = [e.type for e in api.events(job_id, ws)]
    assert types[0] == "started" and types[-1] == "finished" and "message" in types
    last = [e for e in api.events(job_id, ws) if e.type == "progress"][-1]
    assert (last.done, last.total, last.phase) == (4, 4, "count")
    assert all(e.t > 0 for e in api.events(job_id, ws))
    assert "hello from the job" in api.logs(job_id, ws)


def test_user_error_becomes_failed_event_with_title(ws: Path) -> None:
    job_id = api.submit(fake("bad_input"), device="cpu")
    record = api.wait(job_id, timeout=20)
    assert (record.status, record.error_title) == ("failed", "Invalid data")
    assert record.error is not None and "no images" in record.error
    final = api.events(job_id)[-1]
    assert (final.type, final.error_title) == ("failed", "Invalid data")
    assert "Traceback" not in api.logs(job_id)


def test_crash_traceback_goes_to_log_not_event(ws: Path) -> None:
    job_id = api.submit(fake("crash"), device="cpu")
    record = api.wait(job_id, timeout=20)
    assert (record.status, record.error) == ("failed", "ValueError: boom")
    final = api.events(job_id)[-1]
    assert final.error == "ValueError: boom" and "Traceback" not in final.error
    assert "Traceback" in api.logs(job_id) and "raise ValueError" in api.logs(job_id)


def test_sigkilled_job_is_failed_and_log_kept(ws: Path) -> None:
    job_id = api.submit(fake("forever"), device="cpu")
    wait_for(lambda: "forever job up" in api.logs(job_id))
    pid = api.get(job_id).pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not process_alive(pid))
    record = api.get(job_id)
    assert (record.status, record.error) == ("failed", DIED)
    assert "forever job up" in api.logs(job_id)
    assert api.events(job_id)[-1].type == "failed"
    assert api.list_jobs(status="running") == []


def test_reused_pid_is_not_mistaken_for_the_job(ws: Path) -> None:
    job_id = api.submit(fake("count"), device="cpu")
    rdir = api.wait(job_id, timeout=20).run_dir
    # Pretend the row is stuck in "running" with a pid that now belongs to someone else (us).
    Store(ws).update(job_id, status="running", ended=None, pid=os.getpid())
    api.events(job_id)  # a final event is on disk already, so it is trusted
    assert api.get(job_id).status == "done"
    Store(ws).update(job_id, status="running", ended=None, pid=os.getpid())
    (rdir / "events.jsonl").write_text("")
    assert (api.get(job_id).status, api.get(job_id).error) == ("failed", DIED)


def test_job_outlives_its_parent(ws: Path, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    args = f"{fake('gated')!r}, {{'gate': {str(gate)!r}}}, device='cpu', workspace={str(ws)!r}"
    code = f"from tltui.jobs import api; print(api.submit({args}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    job_id = out.stdout.strip()
    wait_for(running(job_id, ws))
    assert api.get(job_id, ws).pid is not None
    gate.touch()
    record = api.wait(job_id, ws, timeout=20)
    assert record.status == "done"


def test_cancel_leaves_no_process_alive(ws: Path) -> None:
    job_id = api.submit(fake("with_grandchild"), device="cpu")
    rdir = api.run_dir(job_id)
    wait_for(lambda: (rdir / "grandchild.pid").exists() and (rdir / "worker.pid").exists())
    worker = int((rdir / "worker.pid").read_text())
    grandchild = int((rdir / "grandchild.pid").read_text())
    assert process_alive(worker) and process_alive(grandchild)
    start = time.monotonic()
    record = api.cancel(job_id, grace=0.5)
    assert time.monotonic() - start < 5
    assert record.status == "cancelled"
    assert not process_alive(worker) and not process_alive(grandchild)
    types = [e.type for e in api.events(job_id)]
    assert types.count("cancelled") == 1 and types[-1] == "cancelled"
    assert api.cancel(job_id).status == "cancelled"  # cancelling again is harmless


def test_cancel_escalates_to_sigkill(ws: Path) -> None:
    job_id = api.submit(fake("ignore_term"), device="cpu")
    wait_for(lambda: (api.run_dir(job_id) / "ready").exists())
    pid = api.get(job_id).pid
    assert pid is not None
    record = api.cancel(job_id, grace=0.3)
    assert record.status == "cancelled" and not process_alive(pid)
    assert [e.type for e in api.events(job_id)][-1] == "cancelled"  # written by the canceller


def test_oom_is_retried_with_halved_batch(ws: Path) -> None:
    job_id = api.submit(fake("oom"), {"batch_size": 64}, device="cpu")
    record = api.wait(job_id, timeout=20)
    assert record.status == "done"
    rdir = api.run_dir(job_id)
    assert (rdir / "attempts.txt").read_text().split() == ["64", "32", "16", "8"]
    assert load_json(rdir / "result.json") == {"batch_size": 8}
    assert "out of memory at batch size 64; retrying with batch size 32" in api.logs(job_id)


def test_oom_at_the_floor_fails_clearly(ws: Path) -> None:
    params = {"batch_size": 16, "min_batch_size": 4, "always": True}
    job_id = api.submit(fake("oom"), params, device="cpu")
    record = api.wait(job_id, timeout=20)
    assert record.status == "failed"
    assert record.error is not None and record.error.startswith("CUDA out of memory even at batch size 4;")
    assert (api.run_dir(job_id) / "attempts.txt").read_text().split() == ["16", "8", "4"]


def test_fast_progress_is_throttled(ws: Path) -> None:
    n = 30_000
    job_id = api.submit(fake("flood"), {"n": n}, device="cpu")
    record = api.wait(job_id, timeout=30)
    assert record.status == "done" and record.started and record.ended
    progress = [e for e in api.events(job_id) if e.type == "progress"]
    assert len(progress) <= (record.ended - record.started) / 0.1 + 3
    assert (progress[-1].done, progress[-1].total) == (n, n)


def test_unknown_job_and_kind(ws: Path) -> None:
    import pytest

    from tltui.base.errors import JobError

    with pytest.raises(JobError, match="no job 'nope'"):
        api.get("nope")
    with pytest.raises(JobError, match="unknown job kind"):
        api.submit("no-such-kind")
    with pytest.raises(JobError, match="plain JSON"):
        api.submit(fake("count"), {"x": object()})


def test_jobs_run_below_the_interface_priority(ws: Path) -> None:
    """A running analysis must not make the workbench wait for a core: the worker lowers its own priority."""
    job_id = api.submit(fake("forever"), device="cpu", workspace=ws)
    try:
        wait_for(running(job_id, ws))
        pid = api.get(job_id, ws).pid
        assert pid is not None
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) - own == min(10, 19 - own)  # the kernel caps nice at 19
    finally:
        api.cancel(job_id, ws, grace=0.5)
