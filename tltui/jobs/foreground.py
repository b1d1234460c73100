"""Running a job in the foreground of a terminal: a one-line progress bar; Ctrl-C cancels the job."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tltui.base.errors import JobError
from tltui.jobs import api
from tltui.jobs.events import Event
from tltui.jobs.store import JobRecord

BAR_WIDTH = 24
PLAIN_INTERVAL = 5.0
"""Seconds between progress lines when the stream is not a terminal (logs, CI)."""


def format_eta(seconds: float) -> str:
    s = max(round(seconds), 0)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def render(ev: Event, eta: float | None, width: int = BAR_WIDTH) -> str:
    """`phase [█████░░░░░] done/total  pct%  ETA m:ss  msg` (no bar when the total is unknown)."""
    parts = [ev.phase or "working"]
    if ev.total > 0:
        frac = min(max(ev.done / ev.total, 0.0), 1.0)
        filled = int(frac * width)
        parts.append(f"[{'█' * filled}{'░' * (width - filled)}]")
        parts.append(f"{ev.done}/{ev.total}")
        parts.append(f"{frac * 100:3.0f}%")
        if eta is not None:
            parts.append(f"ETA {format_eta(eta)}")
    elif ev.done:
        parts.append(str(ev.done))
    if ev.msg:
        parts.append(ev.msg)
    return "  ".join(parts)


class ProgressLine:
    """Draws progress events on one line of a terminal, or as occasional plain lines elsewhere."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None, interval: float = PLAIN_INTERVAL) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.interval = interval
        self._line = ""
        self._phase_start: tuple[str, float, int] | None = None
        self._last_plain = 0.0
        self._last_phase = ""

    def _eta(self, ev: Event) -> float | None:
        if self._phase_start is None or self._phase_start[0] != ev.phase:
            self._phase_start = (ev.phase, ev.t, ev.done)
            return None
        _, t0, done0 = self._phase_start
        if ev.done <= done0 or ev.total <= 0 or ev.t <= t0:
            return None
        return (ev.total - ev.done) * (ev.t - t0) / (ev.done - done0)

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def update(self, ev: Event) -> None:
        if ev.type == "progress":
            line = render(ev, self._eta(ev))
            if self.tty:
                self._line = line
                self._write(f"\r{line}\x1b[K")
                return
            now = time.monotonic()
            complete = ev.total > 0 and ev.done >= ev.total
            if ev.phase != self._last_phase or complete or now - self._last_plain >= self.interval:
                self._last_plain, self._last_phase = now, ev.phase
                self._write(line + "\n")
        elif ev.type == "message":
            self._print(ev.msg)
        elif ev.type == "failed":
            self._print(f"failed: {ev.error}")
        elif ev.type == "cancelled":
            self._print("cancelled")

    def _print(self, text: str) -> None:
        """A line of its own above the bar, which is then redrawn."""
        if self.tty and self._line:
            self._write(f"\r\x1b[K{text}\n{self._line}")
        else:
            self._write(text + "\n")

    def close(self) -> None:
        if self.tty and self._line:
            self._write("\n")
        self._line = ""


def run_foreground(
    job_id: str, workspace: api.Workspace = None, *, stream: TextIO | None = None
) -> JobRecord:
    """Follow the job to its end, drawing its progress on `stream` (default stderr); Ctrl-C cancels it."""
    out = sys.stderr if stream is None else stream
    bar = ProgressLine(out)
    try:
        for ev in api.follow(job_id, workspace):
            bar.update(ev)
    except KeyboardInterrupt:
        bar.close()
        out.write(f"cancelling job {job_id}…\n")
        api.cancel(job_id, workspace)
        raise
    bar.close()
    return api.get(job_id, workspace)


def raise_if_failed(record: JobRecord) -> JobRecord:
    """The record if the job finished; its error as a `JobError` (keeping the job's title) otherwise."""
    if record.status == "failed":
        raise JobError(
            record.error or "the job failed; see its log", title=record.error_title or "Job failed"
        )
    if record.status == "cancelled":
        raise JobError(f"job {record.id} was cancelled", title="Job cancelled")
    if record.status != "done":
        raise JobError(f"job {record.id} is still {record.status}")
    return record
