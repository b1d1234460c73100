"""How a command must end on bad input (README): exit status 2 and one `tltui: …` line on stderr, no traceback."""

from __future__ import annotations


def bad_input_line(returncode: int, stderr: str) -> str:
    """The one stderr line of a bad input caught before any job starts (asserting status 2 and the single line)."""
    assert returncode == 2, f"exit status {returncode}, not 2:\n{stderr[-3000:]}"
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tltui: "), stderr[-3000:]
    return lines[0]


def job_error_line(returncode: int, stderr: str) -> str:
    """The error line of a bad input a job found: status 2, no traceback, and one `tltui: …` line, the last one.

    Before it stderr holds the job's own lines (its id, its progress, its `failed: …` echo)."""
    assert returncode == 2, f"exit status {returncode}, not 2:\n{stderr[-3000:]}"
    assert "Traceback" not in stderr, stderr[-3000:]
    lines = stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("tltui:")] == lines[-1:], stderr[-3000:]
    return lines[-1]
