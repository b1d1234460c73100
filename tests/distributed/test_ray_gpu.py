"""On a CUDA machine: GPU shards (two per GPU) write the local CUDA run's numbers. Skipped without CUDA."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

pytest.importorskip("ray")
pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def test_gpu_shards_equal_the_local_cuda_run(  # type: ignore[no-untyped-def]
    ray_ws: Path, tmp_path: Path, cli
) -> None:
    base = ("analyze", "demo", "--device", "cuda", "--workspace", str(ray_ws))
    proc = cli(*base, "--out", str(tmp_path / "local"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = cli(*base, "--out", str(tmp_path / "ray"), "--executor", "ray", "--shard-gpus", "0.5")
    assert proc.returncode == 0, proc.stderr[-3000:]
    a, b = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("local", "ray"))
    a.pop("seconds"), b.pop("seconds")
    a.get("checks", {}).pop("seconds", None), b.get("checks", {}).pop("seconds", None)
    assert a == b
