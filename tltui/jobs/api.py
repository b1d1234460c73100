"""The jobs API for the UI and the CLI: submit, inspect, follow, cancel; never imports torch."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from tltui.base.errors import JobError, TltuiError, write_error
from tltui.base.workspace import resolve_workspace
from tltui.jobs import kinds, runner
from tltui.jobs.events import Event, EventReader, append_event, has_final_event, make_event, read_events
from tltui.jobs.spec import EVENTS_FILE, LOG_FILE, SPEC_FILE, JobSpec, new_job_id
from tltui.jobs.store import RUNS_DIR, STATUSES, JobRecord, Store

__all__ = [
    "Event",
    "JobError",
    "JobRecord",
    "cancel",
    "events",
    "follow",
    "get",
    "list_jobs",
    "logs",
    "reindex",
    "run_dir",
    "submit",
    "wait",
    "watch",
]

Workspace = Path | str | os.PathLike[str] | None
CHECK_INTERVAL = 0.5
"""Seconds between liveness checks while a follower sees no new events."""


def _store(workspace: Workspace) -> Store:
    return Store(resolve_workspace(workspace))


def submit(
    kind: str,
    params: dict[str, Any] | None = None,
    *,
    study: str | None = None,
    variant: str | None = None,
    device: str = "auto",
    workspace: Workspace = None,
) -> str:
    """Queue a job and start its worker process; returns the job id at once."""
    kinds.target(kind)
    ws = resolve_workspace(workspace)
    store = Store(ws)
    runs = ws / RUNS_DIR
    created = time.time()
    spec = JobSpec(new_job_id(created), kind, str(ws), dict(params or {}), study, variant, device, created)
    spec.to_json()  # refuse unserialisable params before anything is created
    spec, rdir = _new_run_dir(runs, spec)
    try:
        store.insert(
            JobRecord(
                id=spec.id,
                kind=kind,
                study=study,
                variant=variant,
                status="queued",
                progress=0.0,
                phase="",
                device=device,
                pid=None,
                created=created,
                started=None,
                ended=None,
                error_title=None,
                error=None,
                run_dir=rdir,
            )
        )
    except TltuiError:
        shutil.rmtree(rdir, ignore_errors=True)  # no orphan run directory for a job that was never queued
        raise
    try:
        pid = runner.spawn(rdir)
    except OSError as exc:
        with contextlib.suppress(TltuiError):
            store.finish(spec.id, "failed", error_title="Job error", error=f"cannot start the worker: {exc}")
        raise JobError(f"cannot start the job's worker process: {exc}") from None
    with contextlib.suppress(TltuiError):  # the worker records its own pid too (worker.json)
        store.update(spec.id, pid=pid)
    return spec.id


def _new_run_dir(runs: Path, spec: JobSpec) -> tuple[JobSpec, Path]:
    """A fresh run directory holding the job's spec.json (the id changes if it is taken)."""
    try:
        runs.mkdir(exist_ok=True)
        while True:
            try:
                (runs / spec.id).mkdir()
                break
            except FileExistsError:
                spec = dataclasses.replace(spec, id=new_job_id())
        rdir = runs / spec.id
    except OSError as exc:
        raise write_error(runs, exc) from None
    try:
        spec.write(rdir)
    except OSError as exc:
        shutil.rmtree(rdir, ignore_errors=True)
        raise write_error(rdir / SPEC_FILE, exc) from None
    return spec, rdir


def get(job_id: str, workspace: Workspace = None) -> JobRecord:
    """The job's row (after a liveness check); a `JobError` if no job has that id (or unique id prefix)."""
    store = _store(workspace)
    record = store.get(job_id)
    if record is None:
        matches = [r for r in store.records() if r.id.startswith(job_id)] if job_id else []
        if len(matches) != 1:
            what = "no job" if not matches else f"{len(matches)} jobs match"
            raise JobError(f"{what} {job_id!r} in {store.path.parent}; see `tltui jobs list`")
        record = matches[0]
    return runner.reconcile(store, record)


def list_jobs(
    workspace: Workspace = None, *, status: str | None = None, limit: int | None = None
) -> list[JobRecord]:
    """Jobs newest first (after liveness checks), optionally only those with `status`."""
    if status is not None and status not in STATUSES:
        raise JobError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    store = _store(workspace)
    records = [runner.reconcile(store, r) for r in store.records(status=status, limit=limit)]
    if status is not None:
        # A dead "running" job has just become "failed"; it no longer belongs in this list.
        records = [r for r in records if r.status == status]
    return records


def events(job_id: str, workspace: Workspace = None) -> list[Event]:
    """Every event the job has written so far."""
    return read_events(get(job_id, workspace).run_dir / EVENTS_FILE)


def _event_from_record(record: JobRecord) -> Event:
    kind = {"done": "finished", "failed": "failed", "cancelled": "cancelled"}[record.status]
    return Event(
        type=kind,
        t=record.ended or time.time(),
        error_title=record.error_title or "",
        error=record.error or "",
    )


class _Follower:
    """Reads a job's events from the start, checking now and then that its process still lives."""

    def __init__(self, job_id: str, workspace: Workspace) -> None:
        self.store = _store(workspace)
        self.record = get(job_id, self.store.path.parent)
        self.reader = EventReader(self.record.run_dir / EVENTS_FILE)
        self.done = False
        self._checked = time.monotonic()

    def step(self) -> list[Event]:
        """New events, up to and including the final one (after which `done` is set)."""
        new = self.reader.read_new()
        if not new and time.monotonic() - self._checked >= CHECK_INTERVAL:
            self._checked = time.monotonic()
            self.record = runner.reconcile(self.store, self.store.get(self.record.id) or self.record)
            if self.record.final:
                new = self.reader.read_new()
                if not any(ev.final for ev in new):
                    new.append(_event_from_record(self.record))
        out = []
        for ev in new:
            out.append(ev)
            if ev.final:
                self.done = True
                break
        return out


def follow(job_id: str, workspace: Workspace = None, *, poll: float = 0.1) -> Iterator[Event]:
    """Every event from the start, then new ones as they come, until the final one."""
    follower = _Follower(job_id, workspace)
    while not follower.done:
        new = follower.step()
        yield from new
        if not new:
            time.sleep(poll)


async def watch(job_id: str, workspace: Workspace = None, *, poll: float = 0.1) -> AsyncIterator[Event]:
    """`follow` for asyncio code (the UI): polls with asyncio.sleep."""
    follower = _Follower(job_id, workspace)
    while not follower.done:
        new = follower.step()
        for ev in new:
            yield ev
        if not new:
            await asyncio.sleep(poll)


def cancel(job_id: str, workspace: Workspace = None, *, grace: float = 5.0) -> JobRecord:
    """Stop the job and everything it started (SIGTERM, then SIGKILL after `grace` s); its final row."""
    store = _store(workspace)
    record = get(job_id, store.path.parent)
    if record.final:
        return record
    runner.terminate(record, grace)
    if store.finish(record.id, "cancelled"):
        path = record.run_dir / EVENTS_FILE
        if not has_final_event(path):
            append_event(path, make_event("cancelled"))
    return get(record.id, store.path.parent)


def wait(job_id: str, workspace: Workspace = None, *, timeout: float | None = None) -> JobRecord:
    """Block until the job ends; a `JobError` if it is still going after `timeout` seconds."""
    ws = resolve_workspace(workspace)
    deadline = None if timeout is None else time.monotonic() + timeout
    poll = 0.01
    while True:
        record = get(job_id, ws)
        if record.final:
            return record
        if deadline is not None and time.monotonic() >= deadline:
            raise JobError(f"job {record.id} is still {record.status} after {timeout:g} s")
        time.sleep(poll)
        poll = min(poll * 1.5, 0.2)


def reindex(workspace: Workspace = None) -> int:
    """Rebuild the job index from the run directories (their spec.json and events.jsonl); the jobs found."""
    return _store(workspace).reindex()


def run_dir(job_id: str, workspace: Workspace = None) -> Path:
    """The job's run directory (spec, events, log and results)."""
    return get(job_id, workspace).run_dir


def logs(job_id: str, workspace: Workspace = None) -> str:
    """The job's log (its stdout and stderr) so far."""
    path = get(job_id, workspace).run_dir / LOG_FILE
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
