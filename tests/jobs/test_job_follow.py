"""Watching jobs: watchers agree, a late watcher replays from the start, async watch, dead jobs end a watch."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from tests.jobs.helpers import fake, wait_for
from tltui.jobs import api
from tltui.jobs.events import Event


def collect(job_id: str, ws: Path, out: list[Event]) -> threading.Thread:
    thread = threading.Thread(target=lambda: out.extend(api.follow(job_id, ws, poll=0.01)), daemon=True)
    thread.start()
    return thread


def test_two_watchers_and_a_late_one_see_the_same_events(ws: Path, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    job_id = api.submit(fake("gated"), {"gate": str(gate)}, device="cpu")
    first: list[Event] = []
    t1 = collect(job_id, ws, first)
    wait_for(lambda: any(e.type == "message" for e in api.events(job_id)))
    late: list[Event] = []
    t2 = collect(job_id, ws, late)
    wait_for(lambda: any(e.type == "message" for e in late))  # replayed from the start
    assert (late[0].type == "started" and t2.is_alive() is not True) or t2.is_alive()
    gate.touch()
    t1.join(10)
    t2.join(10)
    assert not t1.is_alive() and not t2.is_alive()
    assert first == late == api.events(job_id)
    assert first[-1].type == "finished"
    assert "through the gate" in [e.msg for e in first]
    assert list(api.follow(job_id, ws)) == first  # after the end: everything, then stop


async def test_async_watch(ws: Path) -> None:
    job_id = api.submit(fake("count"), {"n": 3}, device="cpu")
    seen = [ev async for ev in api.watch(job_id, poll=0.01)]
    assert seen == api.events(job_id)
    assert seen[0].type == "started" and seen[-1].type == "finished"


def test_follow_ends_when_the_process_dies(ws: Path) -> None:
    job_id = api.submit(fake("forever"), device="cpu")
    wait_for(lambda: any(e.type == "message" for e in api.events(job_id)))
    out: list[Event] = []
    thread = collect(job_id, ws, out)
    pid = api.get(job_id).pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    thread.join(10)
    assert not thread.is_alive()
    assert out[-1].type == "failed" and out[-1].error_title == "Job died"
