"""Starting, checking and stopping worker processes; no job ever stays "running" after its process is gone."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tltui.base.errors import TltuiError
from tltui.jobs.events import append_event, last_final_event, make_event
from tltui.jobs.procs import group_alive, process_alive, signal_group
from tltui.jobs.spec import EVENTS_FILE, LOG_FILE
from tltui.jobs.store import JobRecord, Store

STARTUP_GRACE = 60.0
"""Seconds a queued row may have no pid yet (the submitter is between insert and spawn)."""
DIED = "process died without finishing; see log"
_EVENT_STATUS = {"finished": "done", "failed": "failed", "cancelled": "cancelled"}


def spawn(run_dir: Path) -> int:
    """Start `python -m tltui.jobs.worker RUN_DIR` in its own session, output to the run's log; its pid."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(run_dir / LOG_FILE, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tltui.jobs.worker", str(run_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
    # Reap it when it ends so it does not linger as a zombie of a long-lived parent (the UI).
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc.pid


def is_running(record: JobRecord) -> bool:
    """Whether the job's worker process is alive (and is really that worker, not a reused pid)."""
    return record.pid is not None and process_alive(record.pid, marker=str(record.run_dir))


def reconcile(store: Store, record: JobRecord) -> JobRecord:
    """Mark an active job whose worker is gone as finished (from its last event) or failed."""
    if record.final:
        return record
    store_final = _finish_from_event(store, record)
    if store_final is not None:
        return store_final
    if record.pid is None:
        if time.time() - record.created < STARTUP_GRACE:
            return record
        reason = "the worker never started; see log"
    elif is_running(record):
        return record
    else:
        reason = DIED
    if not record.run_dir.is_dir():
        reason = f"its run directory {record.run_dir} was deleted"
    try:
        finished = store.finish(record.id, "failed", error_title="Job died", error=reason)
    except TltuiError:  # the index cannot take it (a full disk): the job's end is still told
        return dataclasses.replace(record, status="failed", error_title="Job died", error=reason)
    if finished and record.run_dir.is_dir():
        with contextlib.suppress(OSError):
            append_event(
                record.run_dir / EVENTS_FILE, make_event("failed", error_title="Job died", error=reason)
            )
    return store.get(record.id) or record


def _finish_from_event(store: Store, record: JobRecord) -> JobRecord | None:
    """The row made final from the job's final event, if it wrote one.

    The worker writes its final event just before it updates the index; trusting the event closes that
    window, so whoever saw the event also sees a final row.
    """
    final = last_final_event(record.run_dir / EVENTS_FILE)
    if final is None:
        return None
    status = _EVENT_STATUS[final.type]
    title, error = final.error_title or None, final.error or None
    try:
        store.finish(record.id, status, error_title=title, error=error, ended=final.t)
    except (
        TltuiError
    ):  # the index cannot take it (a full disk): the event is the truth, and its error is told
        return dataclasses.replace(record, status=status, error_title=title, error=error, ended=final.t)
    return store.get(record.id)


def _wait_group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while group_alive(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def terminate(record: JobRecord, grace: float) -> None:
    """SIGTERM the job's process group, SIGKILL whatever is left after `grace` seconds."""
    pgid = record.pid
    if pgid is None:
        return
    if is_running(record):
        signal_group(pgid, signal.SIGTERM)
        if _wait_group_gone(pgid, grace):
            return
    # A pgid cannot be reused while any member lives, so survivors are the job's own children.
    if group_alive(pgid):
        signal_group(pgid, signal.SIGKILL)
        _wait_group_gone(pgid, 5.0)
