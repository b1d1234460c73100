"""The SQLite index: rows round-trip, final states are not overwritten, ids sort by time."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tltui.jobs.spec import new_job_id
from tltui.jobs.store import JobRecord, Store


def record(ws: Path, job_id: str, **kw: object) -> JobRecord:
    base: dict[str, object] = dict(
        id=job_id,
        kind="k",
        study="s",
        variant=None,
        status="queued",
        progress=0.0,
        phase="",
        device="cpu",
        pid=None,
        created=time.time(),
        started=None,
        ended=None,
        error_title=None,
        error=None,
        run_dir=ws / "runs" / job_id,
    )
    base.update(kw)
    return JobRecord(**base)  # type: ignore[arg-type]


def test_roundtrip_and_wal(tmp_path: Path) -> None:
    store = Store(tmp_path)
    rec = record(tmp_path, "a")
    store.insert(rec)
    assert store.get("a") == rec
    assert store.get("missing") is None
    mode = sqlite3.connect(tmp_path / "jobs.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_finish_only_once(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.insert(record(tmp_path, "a"))
    assert store.finish("a", "done")
    assert not store.finish("a", "failed", error="late")
    got = store.get("a")
    assert got is not None and got.status == "done" and got.progress == 1.0 and got.error is None


def test_list_newest_first_and_by_status(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for i, status in enumerate(["done", "failed", "done"]):
        store.insert(record(tmp_path, f"j{i}", status=status, created=100.0 + i))
    assert [r.id for r in store.records()] == ["j2", "j1", "j0"]
    assert [r.id for r in store.records(status="done", limit=1)] == ["j2"]


def test_ids_short_sortable_unique() -> None:
    ids = [new_job_id(1_800_000_000 + i) for i in range(3)]
    assert ids == sorted(ids)
    assert all(len(i) == len("20261123-084512-3f2a") for i in ids)
    assert len({new_job_id() for _ in range(200)}) > 150
