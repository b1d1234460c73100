"""End to end: `tltui mitigate --tune-baseline` picks the recipe on validation and trains method and baseline
with it, recording the grid and the choice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.quick import QUICK_ATTACK


@pytest.fixture
def workspace(tmp_path: Path, demo_run: Path, isolated_home: Path) -> Path:
    """A workspace of its own holding the demo's cached models (so nothing retrains, nothing leaks)."""
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")
    return ws


def test_tuned_method_and_baseline_share_the_recipe_chosen_on_validation(
    workspace: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    """Also as a chain's first stage: the later stage keeps its own recipe and is matched to the tuned baseline."""
    out = tmp_path / "mit"
    args = ("mitigate", "demo", "--method", "remos", "--epochs", "1", "--tune-baseline")
    args = (*args, "--then", "finetune", "--param", "2.epochs=1", "--param", "2.lr=0.02")
    proc = cli(*args, "--out", str(out), "--device", "cpu", "--workspace", str(workspace), *QUICK_ATTACK)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    tuning = summary["tuning"]
    assert tuning["split"] == "validation" and tuning["trained"] == "finetune"
    assert tuning["grid"] == {"lr": [0.005, 0.01, 0.05], "epochs": []}
    assert [c["lr"] for c in tuning["candidates"]] == [0.005, 0.01, 0.05]
    best = max(c["val_accuracy"] for c in tuning["candidates"])
    assert tuning["chosen"]["val_accuracy"] == best
    chosen = f"finetune-lr{tuning['chosen']['lr']:g}-e1-s0"  # the baseline's name carries its recipe
    method, baseline = summary["derived"]["remos-s0"], summary["derived"][chosen]
    assert method["recipe"] == baseline["recipe"] and method["recipe"]["lr"] == tuning["chosen"]["lr"]
    assert baseline["role"] == "baseline" and method["tuning"] == tuning == baseline["tuning"]
    for rec in (method, baseline):
        assert (rec["params"]["lr"], rec["params"]["epochs"]) == (tuning["chosen"]["lr"], 1)
    later = summary["derived"]["remos+finetune-s0"]
    assert later["matched"] == chosen and "tuning" not in later
    assert (later["params"]["lr"], later["params"]["epochs"], later["base"]) == (0.02, 1, "remos-s0")
    assert [s["variant"] for s in later["chain"]] == ["remos-s0", "remos+finetune-s0"]
    assert "tuned finetune on" in proc.stdout and "chose lr" in proc.stdout
    for line in summary.get("warnings", []):
        assert line in proc.stdout
