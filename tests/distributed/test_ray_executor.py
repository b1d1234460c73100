"""`--executor ray` on local Ray: the local run bit for bit, a killed worker, a cancelled job, one-line errors."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.exits import bad_input_line
from tltui.jobs import api

ray = pytest.importorskip("ray")
CPUS = 2  # CPUs of the session's Ray instance (conftest.py)

TASK_TITLE = b"ray::attack_task"
ATTACK_SETS = 19  # the teacher's + 3 variants x 6 budgets; the demo's 269 test images are one shard each


def _summary(run: Path) -> dict[str, object]:
    s = json.loads((run / "summary.json").read_text())
    s.pop("seconds")  # wall times, the only fields allowed to differ
    s.get("checks", {}).pop("seconds", None)
    return s


def assert_same_run(ray_run: Path, local_run: Path) -> None:
    """Identical summary.json (every number, bit for bit) and identical instance arrays."""
    assert _summary(ray_run) == _summary(local_run)
    a, b = np.load(ray_run / "instances.npz"), np.load(local_run / "instances.npz")
    assert sorted(a.files) == sorted(b.files)
    for k in a.files:
        assert np.array_equal(a[k], b[k]), k


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rfind(")") + 2 :].split()[1])


def our_shard_workers() -> list[int]:
    """Pids of Ray workers running an attack shard in this session's Ray instance (descendants of this process)."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "cmdline").read_bytes().startswith(TASK_TITLE):
                continue
        except OSError:
            continue
        pid: int | None = int(entry.name)
        while pid not in (None, 0, 1, me):
            pid = _ppid(pid)  # type: ignore[arg-type]
        if pid == me:
            found.append(int(entry.name))
    return found


def wait_for(what: Callable[[], object], timeout: float, poll: float = 0.01) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"not within {timeout} s: {what}")


def ray_args(address: str, ws: Path, out: Path, workers: int) -> list[str]:
    return [
        "analyze", "demo", "--out", str(out), "--device", "cpu", "--workspace", str(ws),
        "--executor", "ray", "--ray-address", address, "--workers", str(workers),
    ]  # fmt: skip


def test_ray_run_equals_the_local_run_even_when_a_worker_is_lost(  # type: ignore[no-untyped-def]
    ray_address: str, ray_ws: Path, demo_run: Path, tmp_path: Path, cli
) -> None:
    # one full run (each costs a minute of the suite): a shard worker is killed mid-job, the task is retried, and
    # the result is still the local run's, bit for bit
    proc = cli(*ray_args(ray_address, ray_ws, tmp_path / "out", CPUS), "--detach")
    assert proc.returncode == 0, proc.stderr[-3000:]
    job_id = proc.stdout.strip()
    victims = wait_for(our_shard_workers, timeout=120)
    os.kill(victims[0], signal.SIGKILL)  # type: ignore[index]
    record = api.wait(job_id, ray_ws, timeout=180)
    assert record.status == "done", (record.error, api.logs(job_id, ray_ws)[-3000:])
    assert_same_run(tmp_path / "out", demo_run)
    assert len(list((ray_ws / "adv").glob("*.npy"))) == ATTACK_SETS  # merged and cached once, by the driver
    steps = [e for e in api.events(job_id, ray_ws) if e.type == "progress" and e.phase == "attacks"]
    shards = [e for e in steps if "shards" in (e.msg or "") and "img/s per worker" in (e.msg or "")]
    assert shards and shards[-1].done == shards[-1].total == ATTACK_SETS
    assert "Ray attack shards: 19 on" in api.logs(job_id, ray_ws)


def test_cancel_stops_every_ray_task(  # type: ignore[no-untyped-def]
    ray_address: str, ray_ws: Path, tmp_path: Path, cli
) -> None:
    proc = cli(*ray_args(ray_address, ray_ws, tmp_path / "out", CPUS), "--detach")
    assert proc.returncode == 0, proc.stderr[-3000:]
    job_id = proc.stdout.strip()
    wait_for(our_shard_workers, timeout=120)
    proc = cli("jobs", "cancel", job_id, "--workspace", str(ray_ws))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert api.get(job_id, ray_ws).status == "cancelled"
    wait_for(lambda: not our_shard_workers(), timeout=20, poll=0.1)
    # every CPU of the instance is free again: no task of the job holds one, running or queued
    wait_for(lambda: ray.available_resources().get("CPU") == CPUS, timeout=20, poll=0.1)
    time.sleep(1.0)
    assert not our_shard_workers() and ray.available_resources().get("CPU") == CPUS
    assert not (tmp_path / "out" / "summary.json").exists()


def test_unreachable_cluster_is_one_line_before_any_job(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    out = ["--out", str(tmp_path / "o"), "--workspace", str(ws), "--executor", "ray"]
    proc = cli("analyze", "demo", *out, "--ray-address", "127.0.0.1:9")
    line = bad_input_line(proc.returncode, proc.stderr)
    assert "--ray-address 127.0.0.1:9: no Ray cluster answers there" in line
    line = bad_input_line(*_status(cli("analyze", "demo", *out, "--ray-address", "nowhere")))
    assert "use host:port" in line
    assert not api.list_jobs(ws)


def _status(proc) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    return proc.returncode, proc.stderr
