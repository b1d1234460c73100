"""Helpers of the fault suite: run `tltui`, check the one-line refusal, prove nothing changed outside the roots."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def tltui(
    *args: str,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`tltui ARGS` in a fresh interpreter (the repo importable, so fake jobs and plugins load)."""
    base = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "tltui.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**base, **(env or {})},
        preexec_fn=preexec,
        cwd=cwd,
    )


def refused(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Status 2, no traceback, exactly one `tltui: …` line (the last one), holding every needle; that line."""
    err = proc.stderr
    assert proc.returncode == 2, f"exit status {proc.returncode}, not 2:\n{err[-3000:]}"
    assert "Traceback" not in err and "Traceback" not in proc.stdout, err[-3000:]
    lines = err.strip().splitlines()
    assert [ln for ln in lines if ln.startswith("tltui:")] == lines[-1:], err[-3000:]
    assert "\x1b" not in err, "an escape sequence reached the terminal"
    for needle in needles:
        assert needle in lines[-1], f"{needle!r} not in {lines[-1]!r}"
    return lines[-1]


def tree(root: Path) -> dict[str, str]:
    """Every file below `root` with a digest of its bytes (to prove nothing was written or deleted)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@contextmanager
def read_only(root: Path) -> Iterator[None]:
    """`root` and everything in it unwritable, for root too (the immutable attribute), restored afterwards."""
    as_root = os.geteuid() == 0
    if as_root:
        done = subprocess.run(["chattr", "-R", "+i", str(root)], capture_output=True).returncode == 0
    else:  # pragma: no cover - a normal user: modes are enough
        for p in [root, *root.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        done = True
    try:
        probe = root / ".probe"
        try:
            probe.touch()
            probe.unlink()
            writable = True
        except OSError:
            writable = False
        if not done or writable:
            pytest.skip("cannot make a directory read-only here")
        yield
    finally:
        if as_root:
            subprocess.run(["chattr", "-R", "-i", str(root)], capture_output=True)
        else:  # pragma: no cover
            for p in [root, *root.rglob("*")]:
                p.chmod(p.stat().st_mode | 0o200)


@pytest.fixture
def demo_ws(tmp_path: Path, demo_run: Path, isolated_home: Path) -> Path:
    """A workspace of its own holding the session's cached demo models (nothing retrains, nothing leaks)."""
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")
    return ws


@contextmanager
def holding(script: str, ws: Path, out: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process running `script` (which holds `out` and prints `held`); SIGKILLed on the way out."""
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(ws), str(out)],
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(REPO)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()
