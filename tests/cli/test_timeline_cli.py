"""`mitigate --timeline N --keep-best` end to end: points recorded for each run, the pick saved as a variant."""

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


def test_a_timeline_is_recorded_and_its_pick_kept(workspace: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "tl"
    proc = cli(
        "mitigate", "demo", "--method", "finetune", "--epochs", "2", "--timeline", "4", "--keep-best",
        "--out", str(out), "--device", "cpu", "--workspace", str(workspace), *QUICK_ATTACK,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    s = json.loads((out / "summary.json").read_text())
    (run,) = s["timeline"]["runs"]
    assert run["variant"] == "finetune-seed0" and len(run["points"]) == 5  # step 0 and 4 points
    assert run["points"][-1]["test_accuracy"] == pytest.approx(
        s["variants"]["finetune-seed0"]["aoi"], abs=1e-9
    )
    picked = run["points"][run["chosen"]]
    assert run["kept"] == "finetune-seed0-best" and "finetune-seed0-best" in s["variants"]
    ck = s["derived"]["finetune-seed0-best"]["checkpoint"]
    assert (ck["of"], ck["step"]) == ("finetune-seed0", picked["step"])
    assert s["variants"]["finetune-seed0-best"]["aoi"] == pytest.approx(picked["test_accuracy"], abs=1e-9)
    assert s["timeline"]["attack"]["steps"] == 1 and s["timeline"]["n_val"] > 0
    assert "timeline: teacher attack" in proc.stdout and "kept as finetune-seed0-best" in proc.stdout


@pytest.mark.parametrize("command, method", [("mitigate", "finetune"), ("treat", "dare")])
def test_keep_best_without_a_timeline_is_one_line(
    workspace: Path, tmp_path: Path, cli, command: str, method: str
) -> None:  # type: ignore[no-untyped-def]
    proc = cli(
        command, "demo", "--method", method, "--keep-best", "--out", str(tmp_path / "x"),
        "--device", "cpu", "--workspace", str(workspace),
    )  # fmt: skip
    assert "--timeline N" in bad_input_line(proc.returncode, proc.stderr)
