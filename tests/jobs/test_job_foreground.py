"""The foreground runner: progress lines with ETA, errors raised for the CLI, Ctrl-C cancels the job."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.jobs.helpers import fake, wait_for
from tltui.base.errors import JobError
from tltui.jobs import api
from tltui.jobs.events import Event
from tltui.jobs.foreground import ProgressLine, raise_if_failed, render, run_foreground
from tltui.jobs.progress import JobProgress, format_eta


def test_render_and_eta() -> None:
    line = render(JobProgress(0.25, "attack", "pgd", 5, 20, 75.0))
    assert line.startswith("attack  [") and "step 5/20" in line and " 25%" in line and "ETA 1:15" in line
    assert "pgd" in line
    assert format_eta(3725) == "1:02:05"
    assert render(JobProgress(0.0, "scan")).startswith("scan  [")


def test_tty_redraws_one_line_and_estimates_eta_from_the_whole_job() -> None:
    buf = io.StringIO()
    bar = ProgressLine(buf, tty=True)
    bar.update(Event("started", 98.0))
    bar.update(Event("progress", 100.0, done=0, total=10, phase="p", overall=0.0))
    bar.update(Event("progress", 102.0, done=4, total=10, phase="p", overall=0.5))
    bar.update(Event("message", 102.5, msg="note"))
    bar.close()
    text = buf.getvalue()
    assert text.count("\n") == 2 and "\r" in text
    assert "ETA 0:04" in text and " 50%" in text  # 4 s for the first half: 4 s to go
    assert "note\n" in text


def test_plain_stream_writes_lines(ws: Path) -> None:
    buf = io.StringIO()
    job_id = api.submit(fake("count"), {"n": 3}, device="cpu")
    record = run_foreground(job_id, stream=buf)
    assert raise_if_failed(record) is record
    lines = buf.getvalue().splitlines()
    assert "hello from the job" in lines
    assert any("3/3" in line and "100%" in line for line in lines)
    assert "\r" not in buf.getvalue()


def test_raise_if_failed_keeps_the_jobs_title(ws: Path) -> None:
    job_id = api.submit(fake("bad_input"), device="cpu")
    record = run_foreground(job_id, stream=io.StringIO())
    with pytest.raises(JobError, match="no images") as info:
        raise_if_failed(record)
    assert info.value.title == "Invalid data"


class InterruptOnce(io.StringIO):
    """A stream whose first progress write behaves like Ctrl-C."""

    interrupted = False

    def write(self, s: str) -> int:
        if "forever" not in s and not self.interrupted and s.strip():
            self.interrupted = True
            raise KeyboardInterrupt
        return super().write(s)


def test_ctrl_c_cancels_the_job(ws: Path) -> None:
    job_id = api.submit(fake("forever"), device="cpu")
    wait_for(lambda: any(e.type == "message" for e in api.events(job_id)))
    with pytest.raises(KeyboardInterrupt):
        run_foreground(job_id, stream=InterruptOnce())
    assert api.get(job_id).status == "cancelled"
