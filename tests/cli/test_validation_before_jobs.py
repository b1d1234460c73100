"""Bad parameters are refused by the catalogue before any job starts: status 2, one line, torch never imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.exits import bad_input_line
from tests.studies import GOOD, study_files

PROBE = """
import json, sys
from tltui.cli import main
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "torch": "torch" in sys.modules}))
"""

STUDY = GOOD.replace("[attack]\n", '[attack]\nname = "nosuch"\n')


def probe(*args: str, workspace: Path) -> tuple[dict[str, object], str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args, "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


@pytest.fixture
def bad_study(tmp_path: Path) -> Path:
    (study_files(tmp_path) / "study.toml").write_text(STUDY)
    return tmp_path / "study.toml"


def cases(tmp: Path, bad_study: Path) -> list[tuple[list[str], str]]:
    out = str(tmp / "out")
    blocked = tmp / "file"
    blocked.write_text("")
    return [
        (
            ["mitigate", "demo", "--method", "remos", "--ratio", "1.5", "--out", out],
            "--ratio = 1.5: must be in [0, 1)",
        ),
        (
            ["mitigate", "demo", "--method", "delta", "--ratio", "0.1", "--out", out],
            "--ratio does not apply to delta",
        ),
        (
            ["mitigate", "demo", "--method", "remos", "--scope", "fc", "--out", out],
            "--scope fc: not a conv layer",
        ),
        (["treat", "demo", "--method", "model-doctor", "--layer", "nosuch", "--out", out], "--layer nosuch"),
        (
            ["treat", "demo", "--method", "dare", "--train-batch-size", "0", "--out", out],
            "--train-batch-size = 0",
        ),
        (["treat", "demo", "--method", "dare", "--slice-cut", "5", "--out", out], "--slice-cut = 5"),
        (["treat", "demo", "--method", "fmt", "--variant", "nope", "--out", out], "--variant 'nope'"),
        (
            ["treat", "demo", "--method", "fmt", "--channel-alpha", "3", "--out", out],
            "--channel-alpha does not apply to fmt",
        ),
        (["analyze", "demo", "--eps", "0", "--out", out], "--eps = 0: must be in (0, 100]"),
        (["analyze", "demo", "--eps", "nan", "--out", out], "--eps = nan: must be a finite number"),
        (["analyze", "demo", "--eps", "1.5", "--out", out], "eps = 1.5 with norm linf: must be ≤ 1"),
        (
            ["analyze", "demo", "--steps", "1000000000", "--out", out],
            "--steps = 1000000000: must be in [1, 10000]",
        ),
        (["analyze", "demo", "--attack", "nosuch", "--out", out], "--attack = 'nosuch': choose one of pgd"),
        (
            ["analyze", "demo", "--eps-grid", "0,x", "--out", out],
            "--eps-grid: '0,x' is not a valid list of numbers",
        ),
        (["mitigate", "demo", "--method", "finetune", "--alpha", "-1", "--out", out], "--alpha = -1"),
        (["treat", "demo", "--method", "dare", "--teacher-space", "logit", "--out", out], "--teacher-space"),
        (
            ["treat", "demo", "--method", "dare", "--teacher-preset", "madry", "--out", out],
            "--teacher-preset",
        ),
        (["analyze", "demo", "--batch-size", "0", "--out", out], "--batch-size = 0: must be in [1, 1048576]"),
        (
            ["mitigate", "demo", "--method", "remos", "--seed", "4294967296", "--out", out],
            "must be in [0, 4294967245]",
        ),
        (
            ["mitigate", "demo", "--method", "remos", "--epochs", "1000000", "--out", out],
            "must be in [0, 100000]",
        ),
        (["analyze", "demo", "--out", str(blocked / "sub")], "cannot create it"),
        (["analyze", str(bad_study), "--out", out], "[attack] name must be one of pgd, fgsm"),
    ]


def test_each_bad_value_is_refused_without_torch(tmp_path: Path, bad_study: Path) -> None:
    for args, expected in cases(tmp_path, bad_study):
        result, stderr = probe(*args, workspace=tmp_path / "ws")
        assert result["rc"] == 2, (args, stderr)
        assert expected in bad_input_line(2, stderr), (args, stderr)
        assert result["torch"] is False, f"{args} imported torch"
    assert not (tmp_path / "ws" / "runs").exists()  # no job was ever submitted


def test_analyze_help_lists_the_attack_flags() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tltui.cli", "analyze", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    for flag in (
        "--eps ",
        "--alpha ",
        "--steps ",
        "--teacher-eps ",
        "--teacher-preset ",
        "--no-random-start",
    ):
        assert flag in proc.stdout, flag
