"""Job events: one JSON object per line in events.jsonl, appended by the worker and read by anyone."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from tltui.base.progress import Progress, WorkPlan
from tltui.jobs.progress import JobProgress, Overall, eta, plan_for
from tltui.jobs.spec import EVENTS_FILE, SPEC_FILE

EVENT_TYPES = ("started", "plan", "progress", "message", "finished", "failed", "cancelled")
FINAL_EVENTS = frozenset({"finished", "failed", "cancelled"})


@dataclass(frozen=True)
class Event:
    """One thing that happened to a job, at time `t` (seconds since the epoch)."""

    type: str
    t: float
    done: int = 0
    total: int = 0
    phase: str = ""
    msg: str = ""
    error_title: str = ""
    error: str = ""
    overall: float = -1.0
    """Progress events: the whole job's fraction done (tltui.jobs.progress), -1 when not recorded."""
    units: dict[str, float] | None = None
    """Plan events: the work the job declared it has ahead (tltui.base.progress.WorkPlan)."""

    @property
    def final(self) -> bool:
        return self.type in FINAL_EVENTS

    @classmethod
    def from_json(cls, data: str | dict[str, Any]) -> Event:
        obj = json.loads(data) if isinstance(data, str) else data
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in obj.items() if k in known})

    def to_json(self) -> str:
        defaults = Event("", 0.0)
        data = {k: v for k, v in asdict(self).items() if k in ("type", "t") or v != getattr(defaults, k)}
        return json.dumps(data, separators=(",", ":"))


def make_event(type: str, **kw: Any) -> Event:
    return Event(type=type, t=round(time.time(), 3), **kw)


def append_event(path: Path, event: Event) -> None:
    """Append one line with a single O_APPEND write, so concurrent writers never interleave a line."""
    line = (event.to_json() + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    except OSError as exc:  # a full disk: the error names the file
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    finally:
        os.close(fd)


def read_events(path: Path) -> list[Event]:
    return EventReader(path).read_new()


def has_final_event(path: Path) -> bool:
    return last_final_event(path) is not None


def _last_event(path: Path, markers: tuple[bytes, ...], tail: int) -> Event | None:
    """The newest event whose line holds one of `markers`, reading only the end of the file."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(size - tail, 0))
            chunk = fh.read()
    except FileNotFoundError:
        return None
    for line in reversed(chunk.splitlines()):
        if any(m in line for m in markers):
            try:
                return Event.from_json(line.decode())
            except (ValueError, TypeError):
                continue
    return None


def last_progress_event(path: Path, tail: int = 8192) -> Event | None:
    """The newest progress event, looking only at the end of the file (None if there is none there)."""
    return _last_event(path, (b'"type":"progress"',), tail)


def progress_of(ev: Event, started: float | None, now: float | None = None) -> JobProgress:
    """A progress event as every view shows it: the whole job's fraction and its ETA at `now`."""
    fraction = max(ev.overall, 0.0)
    return JobProgress(fraction, ev.phase, ev.msg, ev.done, ev.total, eta(started, ev.t, fraction, now))


def job_progress(record: Any, now: float | None = None) -> JobProgress:
    """Where a job (a `JobRecord`) stands now: from its newest progress event, else from the index."""
    if record.status == "done":
        return JobProgress(1.0, record.phase or "done")
    ev = last_progress_event(Path(record.run_dir) / EVENTS_FILE)
    if ev is None or ev.overall < 0:
        return JobProgress(float(record.progress or 0.0), record.phase or "")
    return progress_of(ev, record.started, now)


def last_final_event(path: Path, tail: int = 16384) -> Event | None:
    """The final event, if any, looking only at the end of the file (a final event is the last one written)."""
    return _last_event(path, (b'"type":"finished"', b'"type":"failed"', b'"type":"cancelled"'), tail)


class EventReader:
    """Reads events.jsonl incrementally; a line still being written is left for the next read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def read_new(self) -> list[Event]:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                chunk = fh.read()
        except FileNotFoundError:
            return []
        end = chunk.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        out = []
        for line in chunk[: end + 1].splitlines():
            if line.strip():
                try:
                    out.append(Event.from_json(line.decode()))
                except (ValueError, TypeError):
                    continue  # a corrupt line must not stop a watcher
        return out


def _kind_beside(path: Path) -> str:
    """The job kind in the spec.json next to an events file ("" when there is none)."""
    try:
        return str(json.loads((path.parent / SPEC_FILE).read_text()).get("kind", ""))
    except (OSError, ValueError, AttributeError):
        return ""


class EventWriter:
    """The worker's side: writes events, throttling progress so a fast loop cannot flood the file."""

    def __init__(self, path: Path, *, min_interval: float = 0.1, kind: str | None = None) -> None:
        self.path = path
        self.min_interval = min_interval
        self._last_progress = 0.0
        self._pending: Event | None = None
        self.overall = Overall(plan_for(kind if kind is not None else _kind_beside(path)))
        """The whole job's progress so far; `overall.fraction` is what the index records too."""

    def emit(self, type: str, **kw: Any) -> Event:
        self.flush()
        event = make_event(type, **kw)
        append_event(self.path, event)
        return event

    def plan(self, p: WorkPlan) -> Event:
        """Declare the work ahead: written at once, and the whole job's progress is weighted by it from now on."""
        units = dict(p.units)
        self.overall.replan(units)
        return self.emit("plan", units=units)

    def progress(self, p: Progress) -> Event | None:
        """Write `p` now if enough time has passed (or its phase is complete); otherwise keep it pending."""
        fraction = round(self.overall.update(p.phase, p.done, p.total), 4)
        event = make_event("progress", done=p.done, total=p.total, phase=p.phase, msg=p.msg, overall=fraction)
        now = time.monotonic()
        complete = p.total > 0 and p.done >= p.total
        if complete or now - self._last_progress >= self.min_interval:
            self._pending = None
            self._last_progress = now
            append_event(self.path, event)
            return event
        self._pending = event
        return None

    def flush(self) -> None:
        """Write the last held-back progress event, so the final state is always on disk."""
        if self._pending is not None:
            append_event(self.path, self._pending)
            self._pending = None
            self._last_progress = time.monotonic()
