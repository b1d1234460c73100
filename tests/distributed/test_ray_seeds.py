"""`mitigate --seeds N --executor ray`: seed builds as Ray tasks, the local executor's numbers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.quick import QUICK_ATTACK
from tltui.jobs import api

pytest.importorskip("ray")

# Two seeds of the plainest method, one epoch and a one-step attack: what is compared is where the seeds are built
# (here or on Ray), not the numbers' quality.
ARGS = (
    "mitigate", "demo", "--method", "finetune", "--seeds", "2", "--epochs", "1", "--device", "cpu", *QUICK_ATTACK,
)  # fmt: skip


def _numbers(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without wall time and the produced variants' creation times (nothing else may differ)."""
    s = json.loads(json.dumps(summary))
    s.pop("seconds")
    s.get("checks", {}).pop("seconds", None)  # wall time too
    for meta in [s["produced"], *s["derived"].values()]:
        meta.pop("created")
    return s


def test_seed_builds_on_ray_equal_the_local_ones(  # type: ignore[no-untyped-def]
    ray_address: str, ray_ws: Path, tmp_path: Path, cli
) -> None:
    local_ws = tmp_path / "local-ws"
    shutil.copytree(ray_ws / "models", local_ws / "models")
    proc = cli(*ARGS, "--workspace", str(local_ws), "--out", str(tmp_path / "local"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    ray_flags = ("--executor", "ray", "--ray-address", ray_address, "--workers", "2")
    proc = cli(*ARGS, *ray_flags, "--workspace", str(ray_ws), "--out", str(tmp_path / "ray"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    local = json.loads((tmp_path / "local" / "summary.json").read_text())
    remote = json.loads((tmp_path / "ray" / "summary.json").read_text())
    assert set(remote["variants"]) == {"scratch", "probe", "finetune", "finetune-s0", "finetune-s1"}
    assert _numbers(remote) == _numbers(local)
    (job,) = api.list_jobs(ray_ws)
    log = api.logs(job.id, ray_ws)
    for name in ("finetune-s0", "finetune-s1"):
        assert f"built '{name}' on Ray worker" in log
