"""Scheduling: one job per GPU-like device at a time, CPU jobs limited to the CPU slots."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.jobs.helpers import fake, running, wait_for
from tltui.base.runfiles import load_json
from tltui.jobs import api, slots


def test_slot_names() -> None:
    assert slots.slot_names("cuda:0") == ["cuda-0"]
    assert slots.slot_names("fake:1") == ["fake-1"]
    assert len(slots.slot_names("cpu")) == slots.cpu_slots()


def test_lock_is_exclusive_and_freed(tmp_path: Path) -> None:
    held = slots.try_acquire(tmp_path, "fake:0")
    assert held is not None
    assert slots.try_acquire(tmp_path, "fake:0") is None
    other = slots.try_acquire(tmp_path, "fake:1")
    assert other is not None
    held.close()
    again = slots.try_acquire(tmp_path, "fake:0")
    assert again is not None
    again.close()
    other.close()


def test_second_job_on_a_device_waits_its_turn(ws: Path, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    first = api.submit(fake("gated"), {"gate": str(gate)}, device="fake:0")
    wait_for(running(first, ws))
    second = api.submit(fake("count"), device="fake:0")
    other = api.submit(fake("count"), device="fake:1")
    assert api.wait(other, timeout=20).status == "done"  # another device is not held up
    assert api.get(second).status == "queued"
    assert "waiting for a free fake:0 slot" in api.logs(second)
    gate.touch()
    a, b = api.wait(first, timeout=20), api.wait(second, timeout=20)
    assert a.status == b.status == "done"
    assert a.ended is not None and b.started is not None and b.started >= a.ended
    assert b.device == "fake:0"
    assert load_json(b.run_dir / "result.json")["torch"] is False  # a fake device never loads torch


def test_cpu_jobs_limited_to_cpu_slots(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(slots.CPU_SLOTS_ENV, "1")
    gate = tmp_path / "gate"
    first = api.submit(fake("gated"), {"gate": str(gate)}, device="cpu")
    wait_for(running(first, ws))
    second = api.submit(fake("count"), device="cpu")
    wait_for(lambda: "waiting for a free cpu slot" in api.logs(second))
    assert api.get(second).status == "queued"
    cancelled = api.cancel(second, grace=1)  # a queued job can be cancelled too
    assert cancelled.status == "cancelled" and cancelled.started is None
    gate.touch()
    assert api.wait(first, timeout=20).status == "done"
    assert api.list_jobs(status="cancelled") == [api.get(second)]


def test_waiting_jobs_start_first_come_first_served(ws: Path, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    first = api.submit(fake("gated"), {"gate": str(gate)}, device="fake:0")
    wait_for(running(first, ws))
    waiting = []
    for _ in range(3):
        waiting.append(api.submit(fake("count"), device="fake:0"))
        wait_for(lambda: "waiting for a free" in api.logs(waiting[-1]))
    gate.touch()
    records = [api.wait(job_id, timeout=20) for job_id in waiting]
    assert all(r.status == "done" for r in records)
    starts = [r.started for r in records]
    assert starts == sorted(starts)  # type: ignore[type-var]
