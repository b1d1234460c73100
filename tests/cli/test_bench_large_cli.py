"""End to end: `tltui bench --study large` generates the 224-px study, times every stage with the peak memory, and
refuses a bad size in one line."""

from __future__ import annotations

import json
from pathlib import Path


def test_bench_large_tiny(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    args = ("bench", "--study", "large", "--n", "20", "--steps", "1", "--repeats", "1", "--device", "cpu")
    first = cli(*args, "--train", "--out", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr[-2000:]
    r = json.loads((tmp_path / "a" / "bench.json").read_text())
    assert r["arch"] == "small" and r["n_test"] == 20 and r["image"] == [3, 224, 224]
    stages = r["stages_s"]
    for stage in ("decode", "clean eval", "teacher attack", "level overall", "level layers"):
        assert stages[stage] > 0, stage
    assert any(s.startswith("white-box attack finetune") for s in stages)
    assert r["peak_rss_mib"] > 0 and r["uint8_mib"] > 0 and r["vs_torchattacks"] > 0
    assert "peak host memory (RSS)" in first.stdout and "PGD, plain fp32 eager loop" in first.stdout
    assert r["train_images"] == 20 * 0.8 and r["train_img_s"] > 0  # the training split left after validation
    assert "training rate" in first.stdout
    bad = cli("bench", "--study", "large", "--n", "0", "--device", "cpu")
    assert bad.returncode == 2 and "--n must be at least 1" in bad.stderr
