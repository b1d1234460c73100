"""Running a job in the foreground of a terminal: a one-line progress bar; Ctrl-C cancels the job."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tltui.base.errors import JobError
from tltui.base.names import shown, shown_lines
from tltui.jobs import api
from tltui.jobs.events import Event, progress_of
from tltui.jobs.progress import JobProgress, Overall
from tltui.jobs.store import JobRecord

BAR_WIDTH = 24
PLAIN_INTERVAL = 5.0
"""Seconds between progress lines when the stream is not a terminal (logs, CI)."""
PLAIN_STEP = 0.1
"""A plain stream also gets a line each time the job gets this much further."""


def render(progress: JobProgress, width: int = BAR_WIDTH) -> str:
    """The one progress line every CLI output uses (tltui.jobs.progress.JobProgress.line)."""
    return progress.line(width, plain=ascii_stream())


def ascii_stream() -> bool:
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    return "utf" not in encoding.lower()


class ProgressLine:
    """Draws a job's events on one line of a terminal, or as occasional plain lines elsewhere; the fraction is
    the whole job's and the ETA comes from the whole job's pace (tltui.jobs.progress)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        tty: bool | None = None,
        interval: float = PLAIN_INTERVAL,
        messages: bool = True,
        started: float | None = None,
    ) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.interval = interval
        self.messages = messages
        """Print message, failure and cancel lines too (off when the log already has them)."""
        self.started = started
        self.model = Overall()
        self.last: JobProgress | None = None
        self._line = ""
        self._last_plain = 0.0
        self._plain_fraction = -1.0
        self._last_phase = ""

    def progress(self, ev: Event) -> JobProgress:
        """The job's progress after `ev` (events written before the model existed are folded here)."""
        if self.started is None:
            self.started = ev.t
        fraction = ev.overall if ev.overall >= 0 else self.model.update(ev.phase, ev.done, ev.total)
        self.last = progress_of(Event(**{**ev.__dict__, "overall": fraction}), self.started, ev.t)
        return self.last

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def update(self, ev: Event) -> None:
        if ev.type == "started":
            self.started = ev.t
        elif ev.type == "progress":
            p = self.progress(ev)
            line = render(p)
            if self.tty:
                self._line = line
                self._write(f"\r{line}\x1b[K")
                return
            now = time.monotonic()
            if (
                ev.phase != self._last_phase
                or p.fraction >= 1.0
                or p.fraction - self._plain_fraction >= PLAIN_STEP
                or now - self._last_plain >= self.interval
            ):
                self._last_plain, self._last_phase, self._plain_fraction = now, ev.phase, p.fraction
                self._write(line + "\n")
        elif not self.messages:
            return
        elif ev.type == "message":
            self._print(ev.msg)
        elif ev.type == "failed":
            self._print(f"failed: {ev.error}")
        elif ev.type == "cancelled":
            self._print("cancelled")

    def _print(self, text: str) -> None:
        """A line of its own above the bar, which is then redrawn; escaped (an error names the user's files)."""
        text = shown_lines(text)
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
        out.write(f"cancelling job {shown(job_id)}…\n")
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
