"""Shared fixtures: an isolated workspace and config dir, and one real `tltui analyze demo` run per session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Nothing a test runs touches the user's workspace or config."""
    ws = tmp_path_factory.mktemp("workspace")
    mp = pytest.MonkeyPatch()
    mp.setenv("TLTUI_WORKSPACE", str(ws))
    mp.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    mp.setenv("PYTHONUNBUFFERED", "1")
    yield ws
    mp.undo()


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run `tltui ARGS` in a fresh interpreter, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "tltui.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="session")
def cli() -> object:
    """The `run_cli` helper, as a fixture."""
    return run_cli


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory, isolated_home: Path) -> Path:
    """A real run directory of `tltui analyze demo` (builds and caches the demo models on first use)."""
    out = tmp_path_factory.mktemp("demo_run")
    proc = run_cli("analyze", "demo", "--out", str(out), "--device", "cpu")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out
