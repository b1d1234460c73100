"""The job index: one SQLite table in the workspace that every process asks "what ran, what runs"."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = frozenset({"queued", "running"})
FINAL = frozenset({"done", "failed", "cancelled"})
DB_FILE = "jobs.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    study TEXT,
    variant TEXT,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    phase TEXT NOT NULL DEFAULT '',
    device TEXT NOT NULL,
    pid INTEGER,
    created REAL NOT NULL,
    started REAL,
    ended REAL,
    error_title TEXT,
    error TEXT,
    run_dir TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
"""


@dataclass(frozen=True)
class JobRecord:
    """One row of the job index."""

    id: str
    kind: str
    study: str | None
    variant: str | None
    status: str
    """queued | running | done | failed | cancelled"""
    progress: float
    """Fraction of the current phase done, 0..1."""
    phase: str
    device: str
    """The requested device until the worker resolves it, then the resolved one."""
    pid: int | None
    created: float
    started: float | None
    ended: float | None
    error_title: str | None
    error: str | None
    run_dir: Path

    @property
    def final(self) -> bool:
        return self.status in FINAL

    @property
    def duration(self) -> float | None:
        """Seconds running so far (or in all, once ended); None before it started."""
        if self.started is None:
            return None
        return (self.ended or time.time()) - self.started


_COLUMNS = [f.name for f in fields(JobRecord)]


def _record(row: tuple[Any, ...]) -> JobRecord:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["run_dir"] = Path(data["run_dir"])
    return JobRecord(**data)


class Store:
    """The SQLite index of one workspace; a short-lived connection per call, WAL for concurrent readers."""

    _ready: set[Path] = set()  # noqa: RUF012 - databases whose schema this process already ensured

    def __init__(self, workspace: Path) -> None:
        self.path = workspace / DB_FILE

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Autocommit: each statement is its own transaction; the busy timeout waits out other writers.
        with closing(sqlite3.connect(self.path, timeout=30.0, isolation_level=None)) as conn:
            conn.execute("PRAGMA busy_timeout = 30000")
            if self.path not in Store._ready:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.executescript(_SCHEMA)
                Store._ready.add(self.path)
            yield conn

    def insert(self, record: JobRecord) -> None:
        values = [str(v) if isinstance(v, Path) else v for v in (getattr(record, c) for c in _COLUMNS)]
        marks = ", ".join("?" for _ in _COLUMNS)
        with self._connect() as conn:
            conn.execute(f"INSERT INTO jobs ({', '.join(_COLUMNS)}) VALUES ({marks})", values)

    def get(self, job_id: str) -> JobRecord | None:
        with self._connect() as conn:
            row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _record(row) if row else None

    def records(self, *, status: str | None = None, limit: int | None = None) -> list[JobRecord]:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM jobs"
        args: list[Any] = []
        if status is not None:
            sql += " WHERE status = ?"
            args.append(status)
        sql += " ORDER BY created DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._connect() as conn:
            return [_record(r) for r in conn.execute(sql, args).fetchall()]

    def queued_before(self, job_id: str, device: str) -> list[JobRecord]:
        """Jobs still queued for `device` that were submitted before `job_id`."""
        sql = (
            f"SELECT {', '.join(_COLUMNS)} FROM jobs AS j WHERE status = 'queued' AND device = ? AND id != ?"
            " AND (created, id) < (SELECT created, id FROM jobs WHERE id = ?)"
        )
        with self._connect() as conn:
            return [_record(r) for r in conn.execute(sql, (device, job_id, job_id)).fetchall()]

    def update(self, job_id: str, *, only_active: bool = False, **values: Any) -> bool:
        """Set columns of one row; with `only_active`, only while it is queued or running. True if changed."""
        unknown = set(values) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown job columns: {sorted(unknown)}")
        sql = f"UPDATE jobs SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?"
        if only_active:
            sql += " AND status IN ('queued', 'running')"
        with self._connect() as conn:
            return conn.execute(sql, [*values.values(), job_id]).rowcount > 0

    def finish(
        self,
        job_id: str,
        status: str,
        *,
        error_title: str | None = None,
        error: str | None = None,
        ended: float | None = None,
    ) -> bool:
        """Move an active job to a final status; False if someone else already finished it."""
        assert status in FINAL
        extra: dict[str, Any] = {"progress": 1.0} if status == "done" else {}
        return self.update(
            job_id,
            only_active=True,
            status=status,
            ended=time.time() if ended is None else ended,
            error_title=error_title,
            error=error,
            **extra,
        )
