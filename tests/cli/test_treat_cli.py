"""End to end: `tltui treat` produces a treated variant diagnosed with the others, fairness included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.exits import bad_input_line
from tests.quick import QUICK_ATTACK


def test_treat_model_doctor(tmp_path: Path, demo_run: Path, isolated_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")
    out = tmp_path / "treat"
    proc = cli(
        "treat",
        "demo",
        "--method",
        "model-doctor",
        "--epochs",
        "1",
        "--out",
        str(out),
        "--device",
        "cpu",
        "--workspace",
        str(ws),
        *QUICK_ATTACK,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    s = json.loads((out / "summary.json").read_text())
    assert s["produced"] == {**s["produced"], "name": "model-doctor", "kind": "treatment", "base": "finetune"}
    assert set(s["variants"]) == {"scratch", "probe", "finetune", "model-doctor"}
    assert s["fairness"]["attribute"] == "ink"
    fair = s["variants"]["model-doctor"]["fairness"]
    assert {"accuracy", "macro_f1", "spd", "eod", "aaod"} <= set(fair)
    assert fair["accuracy"] == s["variants"]["model-doctor"]["aoi"]


def test_treat_unknown_variant_is_one_line(tmp_path: Path, demo_run: Path, isolated_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")
    proc = cli(
        "treat",
        "demo",
        "--method",
        "dare",
        "--variant",
        "nope",
        "--out",
        str(tmp_path / "o"),
        "--device",
        "cpu",
        "--workspace",
        str(ws),
    )
    assert "--variant 'nope'" in bad_input_line(proc.returncode, proc.stderr)
