"""One local CPU-only Ray instance per session, and workspaces with the demo models but no adversarial cache."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

CPUS = 2  # the tests read it from here too


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """The address of a Ray instance this session started (jobs join it with --ray-address); stopped at the end."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ctx = ray.init(
        num_cpus=CPUS,
        num_gpus=0,
        include_dashboard=False,
        object_store_memory=100 * 2**20,
        logging_level=logging.ERROR,
        log_to_driver=False,
    )
    yield ctx.address_info["gcs_address"]
    ray.shutdown()


@pytest.fixture
def ray_ws(demo_run: Path, isolated_home: Path, tmp_path: Path) -> Path:
    """A workspace holding the demo's models (built once by `demo_run`) and nothing else."""
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")
    return ws
