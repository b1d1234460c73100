"""End to end: `tltui analyze` on the demo and on a user study, and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tests.exits import bad_input_line, job_error_line

KEYS = {"aoi", "aai", "dr", "robust", "macro_f1", "macro_recall", "dir", "eps_curve"}


def test_analyze_demo_writes_the_summary(demo_run: Path) -> None:
    s = json.loads((demo_run / "summary.json").read_text())
    assert {"study", "device", "variants", "teacher", "attack", "layers", "n_test"} <= set(s)
    assert s["study"] == "demo" and s["device"] == "cpu" and s["n_test"] == 269
    assert set(s["variants"]) == {"scratch", "probe", "finetune"}
    for v in s["variants"].values():
        assert set(v) >= KEYS
        assert 0 <= v["aai"] <= v["aoi"] <= 1
        assert v["eps_curve"][0] == [0.0, v["aoi"]]
        accs = [a for _, a in v["eps_curve"]]
        assert accs == sorted(accs, reverse=True) or max(accs) - min(accs) > 0.5  # curves fall with ε
    assert {"name", "eps", "alpha", "steps", "random_start"} <= set(s["attack"])
    assert 0.9 < s["teacher"]["source_acc"] <= 1


def test_demo_shows_inheritance(demo_run: Path) -> None:
    v = json.loads((demo_run / "summary.json").read_text())["variants"]
    scratch = v["scratch"]["dir"]
    assert v["finetune"]["dir"] >= 0.2
    assert v["probe"]["dir"] >= 3 * scratch
    assert v["finetune"]["dir"] >= 3 * scratch
    assert v["finetune"]["aoi"] > 0.85 and v["scratch"]["aoi"] > 0.9


def test_second_run_uses_the_cache(demo_run: Path, tmp_path: Path, cli, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    files = sorted((isolated_home / "models" / "demo").glob("*.safetensors"))
    models = [p for p in files if ".epoch" not in p.name]  # built students also keep epoch checkpoints (Dare)
    assert len(models) == 4 and len(files) > 4
    models = files
    before = {p: p.stat().st_mtime_ns for p in models}
    proc = cli("analyze", "demo", "--out", str(tmp_path), "--device", "cpu")
    assert proc.returncode == 0, proc.stderr
    assert "build" not in proc.stderr and "train teacher" not in proc.stderr
    assert {p: p.stat().st_mtime_ns for p in models} == before
    a = json.loads((demo_run / "summary.json").read_text())["variants"]
    b = json.loads((tmp_path / "summary.json").read_text())["variants"]
    assert {k: v["aoi"] for k, v in a.items()} == {k: v["aoi"] for k, v in b.items()}
    assert {k: v["dir"] for k, v in a.items()} == {k: v["dir"] for k, v in b.items()}


def test_bad_study_is_one_line_and_status_2(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "s.toml"
    bad.write_text('name = "x"\n[data]\ntest = "missing"\n')
    proc = cli("analyze", str(bad), "--out", str(tmp_path / "o"))
    line = bad_input_line(proc.returncode, proc.stderr)
    assert "s.toml" in line and "[data] test = 'missing'" in line


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_request_without_cuda_is_a_clear_error(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    proc = cli("analyze", "demo", "--out", str(tmp_path), "--device", "cuda:0")
    assert "CUDA is not available" in job_error_line(proc.returncode, proc.stderr)
