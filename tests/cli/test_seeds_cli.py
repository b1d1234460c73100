"""`--seeds N`: N runs, each beside its matched same-seed baseline, summarised with spread; baselines are reused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.quick import QUICK_ATTACK as QUICK


@pytest.fixture
def seeded(tmp_path: Path, demo_run: Path, isolated_home: Path) -> tuple[Path, tuple[str, ...]]:
    """A workspace holding the demo's cached models (nothing retrains) and the flags of a 2-seed run in it."""
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")
    seeds = ("--seeds", "2", "--seed", "3", "--epochs", "1")
    return ws, (*seeds, "--device", "cpu", "--workspace", str(ws), *QUICK)


@pytest.mark.e2e
def test_seeds_produce_matched_pairs_and_reuse_baselines(
    tmp_path: Path, seeded: tuple[Path, tuple[str, ...]], cli
) -> None:  # type: ignore[no-untyped-def]
    ws, common = seeded
    proc = cli("mitigate", "demo", "--method", "remos", "--out", str(tmp_path / "a"), *common)
    assert proc.returncode == 0, proc.stderr[-3000:]
    s = json.loads((tmp_path / "a" / "summary.json").read_text())
    # the baselines' names carry the recipe (--epochs 1), which both sides of each pair record
    assert s["produced"]["names"] == ["remos-s3", "finetune-e1-s3", "remos-s4", "finetune-e1-s4"]
    assert s["derived"]["remos-s3"]["recipe"] == s["derived"]["finetune-e1-s3"]["recipe"]
    assert s["derived"]["remos-s3"]["recipe"]["epochs"] == 1
    block = s["seeds"]
    assert block["method"] == "remos" and block["baseline"] == "finetune" and block["seeds"] == [3, 4]
    dir_ = block["metrics"]["dir"]
    assert dir_["method"]["values"] == [s["variants"]["remos-s3"]["dir"], s["variants"]["remos-s4"]["dir"]]
    assert dir_["delta"]["n"] == 2 and len(dir_["delta"]["ci95"]) == 2
    for key in ("aoi", "dir"):  # the group interval over seeds and images, from the per-image predictions
        group = block["metrics"][key]["group"]
        assert group["includes"] == "seeds+images" and group["n_seeds"] == 2
        assert group["lo"] <= group["value"] <= group["hi"]
        assert group["verdict"] == "more seeds needed"  # two seeds: no significance claimed
        assert block["metrics"][key]["delta"]["verdict"] == "more seeds needed"
    assert s["bootstrap"] == {"n_boot": 2000, "seed": 0}
    assert set(s["variants"]["remos-s3"]["intervals"]) == {"aoi", "dir"}
    baseline = ws / "variants" / "demo" / "finetune-e1-s3.safetensors"
    before = baseline.stat().st_mtime_ns

    proc = cli("mitigate", "demo", "--method", "magprune", "--out", str(tmp_path / "b"), *common)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "reusing baseline 'finetune-e1-s3'" in proc.stderr + proc.stdout
    assert baseline.stat().st_mtime_ns == before  # not trained again
    s2 = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert s2["seeds"]["pairs"][0] == {"seed": 3, "variant": "magprune-s3", "baseline": "finetune-e1-s3"}
    assert s2["variants"]["finetune-e1-s3"] == s["variants"]["finetune-e1-s3"]


@pytest.mark.e2e
def test_dare_seeds_treat_the_untreated_model_of_each_seed(
    tmp_path: Path, seeded: tuple[Path, tuple[str, ...]], cli
) -> None:  # type: ignore[no-untyped-def]
    """Dare at several seeds treats the untreated model of each seed, built with the study's finetune recipe."""
    _, common = seeded
    proc = cli("treat", "demo", "--method", "dare", "--out", str(tmp_path / "c"), *common)
    assert proc.returncode == 0, proc.stderr[-3000:]
    s3 = json.loads((tmp_path / "c" / "summary.json").read_text())
    assert s3["produced"]["names"] == ["finetune-s3", "dare-s3", "finetune-s4", "dare-s4"]
    assert s3["seeds"]["pairs"] == [
        {"seed": 3, "variant": "dare-s3", "baseline": "finetune-s3"},
        {"seed": 4, "variant": "dare-s4", "baseline": "finetune-s4"},
    ]
    untreated = s3["derived"]["finetune-s3"]
    assert (untreated["kind"], untreated["method"], untreated["role"]) == (
        "mitigation",
        "finetune",
        "baseline",
    )
    assert untreated["params"]["seed"] == 3 and untreated["params"]["epochs"] is None
    assert s3["derived"]["dare-s3"]["base"] == "finetune-s3"  # seed 3 treated the untreated model of seed 3
    assert s3["seeds"]["metrics"]["dir"]["baseline"]["values"] == [
        s3["variants"]["finetune-s3"]["dir"],
        s3["variants"]["finetune-s4"]["dir"],
    ]
    assert s3["seeds"]["metrics"]["dir"]["group"]["includes"] == "seeds+images"
