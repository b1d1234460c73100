"""One job as the index holds it, and the same record rebuilt from its run directory (the source of truth)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from tltui.base.errors import JobError
from tltui.jobs.events import EVENT_TYPES, read_events
from tltui.jobs.spec import EVENTS_FILE, SPEC_FILE, WORKER_FILE, JobSpec

STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = frozenset({"queued", "running"})
FINAL = frozenset({"done", "failed", "cancelled"})
_FINAL_STATUS = {"finished": "done", "failed": "failed", "cancelled": "cancelled"}
assert set(_FINAL_STATUS) <= set(EVENT_TYPES)


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


COLUMNS = [f.name for f in fields(JobRecord)]


def from_row(row: tuple[Any, ...]) -> JobRecord:
    data = dict(zip(COLUMNS, row, strict=True))
    data["run_dir"] = Path(data["run_dir"])
    return JobRecord(**data)


def worker_info(run_dir: Path) -> dict[str, Any]:
    """What the worker wrote when it started (pid, device); {} before that or when unreadable."""
    try:
        data = json.loads((run_dir / WORKER_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def from_run_dir(run_dir: Path) -> JobRecord | None:
    """The job's record rebuilt from spec.json, events.jsonl and worker.json; None if it holds no readable spec."""
    try:
        spec = JobSpec.read(run_dir)
    except JobError:
        return None
    if spec.id != run_dir.name:
        return None
    events = read_events(run_dir / EVENTS_FILE)
    info = worker_info(run_dir)
    started = next((e.t for e in events if e.type == "started"), None)
    final = next((e for e in reversed(events) if e.final), None)
    progress = next((e for e in reversed(events) if e.type == "progress"), None)
    status = _FINAL_STATUS[final.type] if final else ("running" if started is not None else "queued")
    fraction = 0.0
    if status == "done":
        fraction = 1.0
    elif progress is not None and progress.total > 0:
        fraction = min(max(progress.done / progress.total, 0.0), 1.0)
    pid = info.get("pid")
    created = spec.created
    if created is None:
        try:
            created = (run_dir / SPEC_FILE).stat().st_mtime
        except OSError:
            created = time.time()
    return JobRecord(
        id=spec.id,
        kind=spec.kind,
        study=spec.study,
        variant=spec.variant,
        status=status,
        progress=fraction,
        phase=progress.phase if progress is not None else "",
        device=str(info.get("device") or spec.device),
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        created=float(created),
        started=started,
        ended=final.t if final else None,
        error_title=(final.error_title or None) if final else None,
        error=(final.error or None) if final else None,
        run_dir=run_dir,
    )
