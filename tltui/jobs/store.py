"""The job index: one SQLite table in the workspace that every process asks "what ran, what runs".

It is an index, not the truth: each run directory's spec.json and events.jsonl are. A missing, empty or damaged
index is rebuilt from them; a busy one is waited for; one that cannot be written is a one-line error.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tltui.base import env
from tltui.base.errors import TltuiError
from tltui.jobs.record import ACTIVE, COLUMNS, FINAL, STATUSES, JobRecord, from_row, from_run_dir

__all__ = ["ACTIVE", "DB_FILE", "FINAL", "RUNS_DIR", "STATUSES", "IndexUnavailable", "JobRecord", "Store"]

DB_FILE = "jobs.sqlite"
RUNS_DIR = "runs"
T = TypeVar("T")

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
_CORRUPT = ("not a database", "malformed", "encrypted")
_LOCKED = ("locked", "busy")
_READONLY = ("readonly", "read-only", "unable to open", "permission")


class IndexUnavailable(TltuiError):
    """The job index cannot be used now: locked past the timeout, read-only, or a full disk."""

    title = "Job index unavailable"


def _kind(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "no such table" in text:
        return "missing"
    if any(w in text for w in _CORRUPT):
        return "corrupt"
    if any(w in text for w in _LOCKED):
        return "locked"
    if any(w in text for w in _READONLY):
        return "readonly"
    if "full" in text:
        return "full"
    return "other"


def _values(record: JobRecord) -> list[Any]:
    return [str(v) if isinstance(v, Path) else v for v in (getattr(record, c) for c in COLUMNS)]


_UPSERT = f"INSERT OR REPLACE INTO jobs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM jobs"


class Store:
    """The SQLite index of one workspace; a short-lived connection per call, WAL for concurrent readers."""

    _ready: set[Path] = set()  # noqa: RUF012 - databases whose schema this process already ensured

    def __init__(self, workspace: Path, *, timeout: float | None = None) -> None:
        self.workspace = workspace
        self.path = workspace / DB_FILE
        self.timeout = timeout
        """Seconds to wait for a busy index; None: `$TLTUI_DB_TIMEOUT` (a best-effort caller passes less)."""

    # --- connection, recovery, errors -------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Autocommit: each statement is its own transaction; the busy timeout waits out other writers.
        timeout = env.db_timeout() if self.timeout is None else self.timeout
        with closing(sqlite3.connect(self.path, timeout=timeout, isolation_level=None)) as conn:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if self.path not in Store._ready:
                self._setup(conn)
            yield conn

    def _setup(self, conn: sqlite3.Connection) -> None:
        """Create the table; a fresh (missing, empty or deleted) index is filled from the run directories."""
        if not os.access(self.path, os.W_OK):
            # Asked of the file system, not of SQLite: it reads a read-only index while another process keeps the
            # WAL files open, and refuses it when none does; a write to find out would wait on a writer's lock.
            raise self._error("readonly", PermissionError("the file is read-only"))
        fresh = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'jobs'"
        ).fetchone()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(_SCHEMA)
        if fresh is None:
            self._fill(conn, replace_all=False)
        Store._ready.add(self.path)

    def _fill(self, conn: sqlite3.Connection, *, replace_all: bool) -> int:
        records = [r for d in self.run_dirs() if (r := from_run_dir(d)) is not None]
        conn.execute("BEGIN IMMEDIATE")
        try:
            if replace_all:
                conn.execute("DELETE FROM jobs")
            conn.executemany(_UPSERT, [_values(r) for r in records])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return len(records)

    def run_dirs(self) -> list[Path]:
        runs = self.workspace / RUNS_DIR
        try:
            return sorted(d for d in runs.iterdir() if d.is_dir()) if runs.is_dir() else []
        except OSError:
            return []

    def _set_aside(self) -> Path:
        """Move a damaged index (and its WAL files) aside, so a fresh one is rebuilt; returns where it went."""
        aside = self.path.with_name(f"{DB_FILE}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(f"{self.path}{suffix}")
            try:
                os.replace(src, Path(f"{aside}{suffix}"))
            except FileNotFoundError:
                pass  # another process moved it first
            except OSError as exc:
                raise self._error("readonly", exc) from None
        return aside

    def _error(self, kind: str, exc: Exception) -> IndexUnavailable:
        ws = self.workspace
        if kind == "locked":
            return IndexUnavailable(
                f"{self.path}: locked by another process for over {env.db_timeout():g} s; try again, or raise "
                f"{env.DB_TIMEOUT}"
            )
        if kind == "readonly":
            return IndexUnavailable(
                f"{self.path}: cannot be written ({exc}); make {ws} writable, or use --workspace DIR"
            )
        if kind == "full":
            return IndexUnavailable(
                f"{self.path}: the disk is full; free space in {ws}, or use --workspace DIR"
            )
        return IndexUnavailable(
            f"{self.path}: {exc}; run `tltui jobs reindex` to rebuild it from {ws / RUNS_DIR}"
        )

    def _run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run `op` on a connection; a vanished table or a damaged file is rebuilt once, the rest is one line."""
        for attempt in range(3):
            try:
                with self._connect() as conn:
                    return op(conn)
            except sqlite3.Error as exc:
                kind = _kind(exc)
                if attempt < 2 and kind in ("missing", "corrupt"):
                    Store._ready.discard(self.path)
                    if kind == "corrupt":
                        self._set_aside()
                    continue
                raise self._error(kind, exc) from None
            except OSError as exc:
                raise self._error("full" if exc.errno == 28 else "readonly", exc) from None
        raise AssertionError("unreachable")

    # --- the index ------------------------------------------------------------------------------------------------

    def reindex(self) -> int:
        """Rebuild every row from the run directories; the number of jobs found."""
        return self._run(lambda conn: self._fill(conn, replace_all=True))

    def insert(self, record: JobRecord) -> None:
        self._run(lambda conn: conn.execute(_UPSERT, _values(record)))

    def get(self, job_id: str) -> JobRecord | None:
        row = self._run(lambda conn: conn.execute(f"{_SELECT} WHERE id = ?", (job_id,)).fetchone())
        return from_row(row) if row else None

    def records(self, *, status: str | None = None, limit: int | None = None) -> list[JobRecord]:
        sql = _SELECT
        args: list[Any] = []
        if status is not None:
            sql += " WHERE status = ?"
            args.append(status)
        sql += " ORDER BY created DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [from_row(r) for r in self._run(lambda conn: conn.execute(sql, args).fetchall())]

    def queued_before(self, job_id: str, device: str) -> list[JobRecord]:
        """Jobs still queued for `device` that were submitted before `job_id`."""
        sql = (
            f"{_SELECT} AS j WHERE status = 'queued' AND device = ? AND id != ?"
            " AND (created, id) < (SELECT created, id FROM jobs WHERE id = ?)"
        )
        rows = self._run(lambda conn: conn.execute(sql, (device, job_id, job_id)).fetchall())
        return [from_row(r) for r in rows]

    def update(self, job_id: str, *, only_active: bool = False, **values: Any) -> bool:
        """Set columns of one row; with `only_active`, only while it is queued or running. True if changed."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown job columns: {sorted(unknown)}")
        sql = f"UPDATE jobs SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?"
        if only_active:
            sql += " AND status IN ('queued', 'running')"
        return self._run(lambda conn: conn.execute(sql, [*values.values(), job_id]).rowcount > 0)

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
