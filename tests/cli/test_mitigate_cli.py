"""End to end: `tltui mitigate` produces a variant that joins every later analysis; bad input is one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.exits import bad_input_line
from tests.quick import QUICK_ATTACK


@pytest.fixture
def workspace(tmp_path: Path, demo_run: Path, isolated_home: Path) -> Path:
    """A workspace of its own holding the demo's cached models (so nothing retrains, nothing leaks)."""
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")
    return ws


def test_mitigate_remos_adds_a_diagnosed_variant(workspace: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mit"
    proc = cli(
        "mitigate",
        "demo",
        "--method",
        "remos",
        "--ratio",
        "0.1",
        "--epochs",
        "3",
        "--out",
        str(out),
        "--device",
        "cpu",
        "--workspace",
        str(workspace),
        *QUICK_ATTACK,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    s = json.loads((out / "summary.json").read_text())
    assert s["produced"]["name"] == "remos" and s["produced"]["params"]["ratio"] == 0.1
    # --epochs 3 is not the study's recipe: remos is compared with a finetune trained with it (one recipe)
    assert set(s["variants"]) == {"scratch", "probe", "finetune", "remos", "finetune-e3-s0"}
    assert s["derived"]["remos"]["recipe"] == s["derived"]["finetune-e3-s0"]["recipe"]
    assert s["derived"]["remos"]["method"] == "remos"
    assert {"aoi", "aai", "dir", "eps_curve"} <= set(s["variants"]["remos"])
    assert all("remos" in row["weight_change"] for row in s["layers"])
    assert (workspace / "variants" / "demo" / "remos.safetensors").is_file()
    # A later plain analysis includes the produced variant too.
    again = tmp_path / "again"
    proc = cli(
        "analyze",
        "demo",
        "--out",
        str(again),
        "--device",
        "cpu",
        "--workspace",
        str(workspace),
        *QUICK_ATTACK,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    s2 = json.loads((again / "summary.json").read_text())
    assert s2["variants"]["remos"]["aoi"] == s["variants"]["remos"]["aoi"]


def test_mitigate_bad_ratio_is_one_line(workspace: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    proc = cli(
        "mitigate",
        "demo",
        "--method",
        "remos",
        "--ratio",
        "1.5",
        "--out",
        str(tmp_path / "o"),
        "--device",
        "cpu",
        "--workspace",
        str(workspace),
    )
    assert "ratio = 1.5" in bad_input_line(proc.returncode, proc.stderr)
