"""End to end: `tltui bench` on the CPU measures ours and torchattacks in the same run."""

from __future__ import annotations

import json
from pathlib import Path


def test_bench_cpu_small(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "bench"
    proc = cli(
        "bench",
        "--device",
        "cpu",
        "--batch-size",
        "64",
        "--repeats",
        "1",
        "--no-compile",
        "--no-analyze",
        "--aa-steps",
        "2",
        "--aa-queries",
        "20",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    r = json.loads((out / "bench.json").read_text())
    assert r["device"] == "cpu" and r["batch"] == 64 and r["steps"] == 10
    assert r["ours_img_s"] > 0 and r["torchattacks_img_s"] > 0
    assert r["speedup_vs_torchattacks"] == r["ours_best_img_s"] / r["torchattacks_img_s"]
    assert "speed-up vs torchattacks" in proc.stdout and "img/s" in proc.stdout
    aa = r[
        "autoattack"
    ]  # the preset's cost per image, every image attacked (labels: the model's predictions)
    assert (aa["images"], aa["steps"], aa["queries"]) == (64, 2, 20) and aa["attacks"][0]["attacked"] == 64
    assert "AutoAttack preset" in proc.stdout and "ms/img" in proc.stdout
