"""The job index survives: rebuilt from the run directories, waited for when busy, one line when unusable."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.faults.conftest import read_only, refused, tltui
from tests.jobs.helpers import fake, job_workspace, running, wait_for
from tltui.jobs import api
from tltui.jobs.store import IndexUnavailable, Store

pytestmark = pytest.mark.e2e  # real jobs and `tltui jobs` runs


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from job_workspace(tmp_path, monkeypatch)


def two_jobs(ws: Path) -> tuple[str, str]:
    done = api.submit(fake("count"), {"n": 2}, study="demo", variant="v", device="cpu", workspace=ws)
    failed = api.submit(fake("bad_input"), device="cpu", workspace=ws)
    api.wait(done, ws, timeout=30)
    api.wait(failed, ws, timeout=30)
    return done, failed


def listed(ws: Path) -> dict[str, str]:
    proc = tltui("jobs", "list", "--workspace", str(ws))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return {line.split()[0]: line.split()[4] for line in proc.stdout.splitlines()[1:]}


@pytest.mark.parametrize("damage", ["garbage", "zero bytes", "truncated", "deleted"])
def test_a_damaged_or_missing_index_is_rebuilt_from_the_run_directories(ws: Path, damage: str) -> None:
    done, failed = two_jobs(ws)
    db = ws / "jobs.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.stat().st_size
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if damage == "garbage":
        db.write_bytes(b"this is not a database" * 100)
    elif damage == "zero bytes":
        db.write_bytes(b"")
    elif damage == "truncated":
        db.write_bytes(db.read_bytes()[: size // 2])
    else:
        db.unlink()
    assert listed(ws) == {failed: "failed", done: "done"}
    if damage in ("garbage", "truncated"):
        assert list(ws.glob("jobs.sqlite.damaged-*")), "the damaged index was not kept aside"


def test_jobs_reindex(ws: Path) -> None:
    done, failed = two_jobs(ws)
    with sqlite3.connect(ws / "jobs.sqlite") as conn:
        conn.execute("DELETE FROM jobs")
    proc = tltui("jobs", "reindex", "--workspace", str(ws))
    assert proc.returncode == 0 and "re-indexed 2 jobs" in proc.stdout, proc.stderr
    record = api.get(done, ws)
    assert (record.status, record.study, record.variant, record.progress) == ("done", "demo", "v", 1.0)
    assert (api.get(failed, ws).error or "").startswith("no images under data/train")


def test_a_read_only_workspace_is_one_line(ws: Path) -> None:
    two_jobs(ws)
    Store._ready.clear()
    with read_only(ws):
        refused(tltui("jobs", "list", "--workspace", str(ws)), str(ws / "jobs.sqlite"), "writable")
        proc = tltui("analyze", "demo", "--out", str(ws.parent / "o"), "--workspace", str(ws))
        refused(proc, str(ws))


def test_a_read_only_workspace_is_refused_while_another_process_has_the_index_open(ws: Path) -> None:
    # An open connection keeps the WAL files, with which SQLite can read a read-only index: refused all the same,
    # not listed one time and refused the next depending on what else runs.
    two_jobs(ws)
    with closing(sqlite3.connect(ws / "jobs.sqlite")) as other:
        other.execute("SELECT count(*) FROM jobs").fetchone()
        assert (ws / "jobs.sqlite-wal").exists()
        with read_only(ws):
            refused(tltui("jobs", "list", "--workspace", str(ws)), str(ws / "jobs.sqlite"), "writable")


def test_a_full_disk_is_one_line_naming_the_path(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    two_jobs(ws)
    real = sqlite3.connect

    class Full(sqlite3.Connection):
        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
            if sql.lstrip().upper().startswith(("UPDATE", "INSERT")):
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real(*a, **k, factory=Full))
    with pytest.raises(IndexUnavailable, match=r"jobs\.sqlite: the disk is full; free space in"):
        api.submit(fake("count"), device="cpu", workspace=ws)
    assert len(list((ws / "runs").iterdir())) == 2  # no orphan run directory


def test_a_lock_held_by_another_program(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TLTUI_DB_TIMEOUT", "1")
    gate = ws.parent / "gate"
    job = api.submit(fake("gated"), {"gate": str(gate)}, device="cpu", workspace=ws)
    wait_for(running(job, ws), timeout=30)
    holder = sqlite3.connect(ws / "jobs.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # an outside tool holds the write lock longer than the timeout
    try:
        time.sleep(2.5)  # the job's progress updates meet the lock all this time
        assert listed(ws)[job] == "running"  # readers are never blocked (WAL)
        before = sorted((ws / "runs").iterdir())
        proc = tltui(
            "analyze",
            "demo",
            "--out",
            str(ws.parent / "o"),
            "--workspace",
            str(ws),
            env={"TLTUI_DB_TIMEOUT": "1"},
        )
        refused(proc, "jobs.sqlite", "locked", "TLTUI_DB_TIMEOUT")
        assert sorted((ws / "runs").iterdir()) == before  # no orphan run directory
        gate.touch()
        time.sleep(2.5)  # the job ends while the index is still locked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert api.wait(job, ws, timeout=30).status == "done"  # the lock never killed it


def test_the_index_deleted_mid_job(ws: Path) -> None:
    gate = ws.parent / "gate"
    job = api.submit(fake("gated"), {"gate": str(gate)}, study="demo", device="cpu", workspace=ws)
    wait_for(running(job, ws), timeout=30)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{ws / 'jobs.sqlite'}{suffix}").unlink(missing_ok=True)
    time.sleep(0.5)
    gate.touch()
    assert api.wait(job, ws, timeout=30).status == "done"
    assert listed(ws) == {job: "done"}


def test_a_run_directory_deleted_mid_job(ws: Path) -> None:
    import shutil

    job = api.submit(fake("forever"), device="cpu", workspace=ws)
    wait_for(running(job, ws), timeout=30)
    shutil.rmtree(ws / "runs" / job)
    wait_for(lambda: listed(ws)[job] == "failed", timeout=30)
    assert str(ws / "runs" / job) in (api.get(job, ws).error or "")  # however it learnt it, the path is named
