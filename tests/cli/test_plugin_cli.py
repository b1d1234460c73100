"""A mitigation method added as one module plus one catalogue line reaches `--help` and runs as a job."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.exits import bad_input_line
from tests.quick import QUICK_ATTACK

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
ENV = {
    "TLTUI_PLUGINS": "toy_shrink",
    "PYTHONPATH": os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")]),
}


def test_the_toy_method_is_in_mitigate_help(cli) -> None:  # type: ignore[no-untyped-def]
    proc = cli("mitigate", "--help", env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert "toy-shrink" in proc.stdout and "--shrink" in proc.stdout
    assert "default: 0.5" in proc.stdout


@pytest.mark.e2e
def test_the_toy_method_runs_as_a_job(tmp_path: Path, demo_run: Path, isolated_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")  # the demo's cached models: nothing retrains
    out = tmp_path / "toy"
    args = ("mitigate", "demo", "--method", "toy-shrink", "--shrink", "0.2", "--out", str(out))
    proc = cli(*args, "--device", "cpu", "--workspace", str(ws), *QUICK_ATTACK, env=ENV)
    assert proc.returncode == 0, proc.stderr[-3000:]
    s = json.loads((out / "summary.json").read_text())
    assert s["produced"]["method"] == "toy-shrink" and s["produced"]["params"]["shrink"] == 0.2
    assert {"aoi", "aai", "dir"} <= set(s["variants"]["toy-shrink"])
    bad = cli("mitigate", "demo", "--method", "toy-shrink", "--shrink", "2", "--out", str(out), env=ENV)
    assert "--shrink = 2: must be in [0, 1]" in bad_input_line(bad.returncode, bad.stderr)
