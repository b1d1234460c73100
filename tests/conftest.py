"""Shared fixtures: an isolated workspace and config dir, one real `tltui analyze demo` run per session, e2e marks."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# One torch thread per test process (the jobs it starts get one per CPU slot already): two xdist workers and their
# jobs share the cores, and OpenMP threads that spin-wait for a descheduled sibling make small ops tens of times
# slower (an 8-image Square attack: 14 s with two threads beside one busy process, 1.2 s with one).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

# Fixtures that run a real `tltui analyze demo` (demo_run, and real_run built on it) or real CLI commands:
# a test using one is end to end, marked `e2e` here so that `make test-fast` (`-m "not e2e"`) skips it.
E2E_FIXTURES = frozenset({"demo_run", "real_run", "cli"})


# Tests that share one outside resource run on one xdist worker (`--dist loadgroup`): the Ray instance of a
# session, the default tmux server.
SHARED = {"tests/distributed/": "ray", "tests/ui/test_tmux.py": "tmux"}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses an end-to-end fixture as `e2e`, group the tests that share a resource, and put the
    end-to-end tests first so that the long ones start early on every worker and none ends the run alone."""
    for item in items:
        if E2E_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
        for prefix, group in SHARED.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))
    # Stable, so the same order on every worker: the end-to-end tests that need no demo run first, so that one
    # worker runs them while the first to need the demo run makes it (tests/conftest.py `demo_run`).
    items.sort(key=lambda item: (item.get_closest_marker("e2e") is None, "demo_run" in item.fixturenames))


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


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created) while the block runs: one xdist worker at a time."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this test session shares (the session's own temp folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory, isolated_home: Path) -> Path:
    """A real run directory of `tltui analyze demo`, made once per test session (the first xdist worker to need it
    makes it, the others wait for it) and copied here with the demo models and attacks it cached, so that this
    worker's workspace holds them as if it had run the analysis itself."""
    root = _session_root(tmp_path_factory)
    shared, ws = root / "demo-run-shared", root / "demo-ws-shared"
    with _locked(root / "demo-run-shared.lock"):
        if not (shared / "summary.json").is_file():
            proc = run_cli("analyze", "demo", "--out", str(shared), "--device", "cpu", "--workspace", str(ws))
            assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path_factory.mktemp("demo_run")
    shutil.copytree(shared, out, dirs_exist_ok=True)
    for cache in ("models", "adv"):
        shutil.copytree(ws / cache, isolated_home / cache, dirs_exist_ok=True)
    return out
