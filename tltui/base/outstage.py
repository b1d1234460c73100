"""A finished `--out` is replaced only by a run that finishes: a re-run stages its files, then moves them in."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from tltui.base.errors import write_error
from tltui.base.rundir import ANALYZE_FILES, SUMMARY, producer
from tltui.base.tempfiles import MARK, sweep, writer

STAGING = ".tltui-staging"
"""The folder inside `--out` a re-run writes into while an earlier finished run is there (the job that holds the
`--out` lock owns it, tltui.base.outlock; docs/run-directory.md)."""
_OWN_KINDS = ("analyze", "details", "tsne")
"""The producers of a diagnosis's files: what a new run replaces (anything else in `--out` is the user's)."""


def staging_dir(out: Path) -> Path:
    return out / STAGING


def is_run_file(name: str) -> bool:
    """Whether `name` is a file of a diagnosis (replaced by the next one), or a temporary file of one."""
    return producer(name) in _OWN_KINDS or is_run_temp(name)


def is_run_temp(name: str) -> bool:
    """A temporary file of a run file: ours (`.summary.json.tltui-tmp-…`), or one written before temporary files
    named their writer (`.summary.json.XXXXXXXX.json`); only a job holding that `--out` may remove it."""
    if not name.startswith("."):
        return False
    if writer(name) is not None:
        return producer(name[1:].split(MARK, 1)[0]) is not None
    return any(name.startswith(f".{known}.") for known in ANALYZE_FILES)


def begin(out: Path) -> Path:
    """Where a run that holds `out` writes: the staging folder when a finished run is there (it stays finished and
    readable until this run finishes), else `out` itself, cleared of an unfinished run's files.

    Called with the `--out` lock held: what an earlier killed run left (a half-moved or unfinished staging
    folder, temporary files) is settled first."""
    settle(out)
    try:
        if (out / SUMMARY).is_file():
            stage = staging_dir(out)
            stage.mkdir()
            return stage
        for path in list(out.iterdir()) if out.is_dir() else []:
            if path.is_file() and is_run_file(path.name):
                path.unlink(missing_ok=True)
    except OSError as exc:
        raise write_error(out, exc) from None
    return out


def settle(out: Path) -> None:
    """Finish what a killed run left: a staging folder holding its summary.json was a finished run whose files
    were being moved (the move is completed); any other staging folder is dropped; stale temporary files go."""
    stage = staging_dir(out)
    try:
        if (stage / SUMMARY).is_file():
            commit(out, stage)
        elif stage.is_dir():
            shutil.rmtree(stage)
        if out.is_dir():
            sweep(out)
            for path in out.glob(".*"):  # from before temporary files named their writer: the lock holder's
                if path.is_file() and is_run_temp(path.name) and writer(path.name) is None:
                    path.unlink(missing_ok=True)
    except OSError as exc:
        raise write_error(stage, exc) from None


def drop(out: Path, dest: Path) -> None:
    """Remove the staging folder of a run that ended without finishing (failed, cancelled); the earlier run in
    `out` was never touched. A folder holding its summary.json is a move under way: left for `settle`."""
    if dest != out and not (dest / SUMMARY).exists():
        shutil.rmtree(dest, ignore_errors=True)


def commit(out: Path, dest: Path) -> None:
    """Put a finished staged run in place of the earlier one: the earlier summary.json goes first (so no mix of
    the two ever reads as finished), then the earlier run's files, then the new files, its summary.json last."""
    if dest == out:
        return
    new = sorted(p.name for p in dest.iterdir() if p.is_file() and p.name != SUMMARY)
    try:
        (out / SUMMARY).unlink(missing_ok=True)
        for path in out.iterdir():
            if path.is_file() and is_run_file(path.name) and path.name not in new:
                path.unlink(missing_ok=True)
        for name in new:
            os.replace(dest / name, out / name)
        os.replace(dest / SUMMARY, out / SUMMARY)
    except OSError as exc:
        raise write_error(out, exc) from None
    with contextlib.suppress(OSError):  # only leftovers; the next run that takes `out` removes them
        shutil.rmtree(dest)
