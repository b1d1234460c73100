"""`tltui sweep` end to end: one job, per value the method's and its matched baseline's seed groups, paired Δ with
intervals and the verdict line; `tltui report` renders the sweep."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.quick import QUICK_ATTACK


@pytest.mark.e2e
def test_a_sweep_writes_one_run_with_a_pair_per_value_and_report_renders_it(
    tmp_path: Path, demo_run: Path, isolated_home: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")  # the demo's cached models: nothing rebuilds
    out = tmp_path / "sweep"
    args = ("sweep", "demo", "--method", "remos", "--param", "lr=0.005,0.02", "--seeds", "2", "--epochs", "1")
    proc = cli(*args, "--out", str(out), "--device", "cpu", "--workspace", str(ws), *QUICK_ATTACK)
    assert proc.returncode == 0, proc.stderr[-3000:]
    s = json.loads((out / "summary.json").read_text())
    sweep = s["sweep"]
    assert sweep["grid"] == {"lr": [0.005, 0.02]} and sweep["method"] == "remos"
    assert [p["group"] for p in sweep["points"]] == ["remos-lr0.005", "remos-lr0.02"]
    for p in sweep["points"]:
        lr = p["value"]["lr"]
        tag = f"lr{lr:g}-e1"
        assert p["seeds"]["pairs"] == [
            {"seed": 0, "variant": f"remos-lr{lr:g}-s0", "baseline": f"finetune-{tag}-s0"},
            {"seed": 1, "variant": f"remos-lr{lr:g}-s1", "baseline": f"finetune-{tag}-s1"},
        ]
        group = p["seeds"]["metrics"]["dir"]["group"]
        assert group["includes"] == "seeds+images" and group["lo"] <= group["value"] <= group["hi"]
        for pair in p["seeds"]["pairs"]:  # one recipe per pair, the value's
            method, base = s["derived"][pair["variant"]], s["derived"][pair["baseline"]]
            assert method["recipe"] == base["recipe"] and method["recipe"]["lr"] == lr
    assert sweep["verdict"] == "more seeds needed" and sweep["line"] in proc.stdout
    report = tmp_path / "report"
    proc = cli("report", str(out), "--out", str(report))
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = (report / "report.md").read_text()
    assert "## Recipe sweep: remos against finetune" in text and sweep["line"] in text
    assert "| lr 0.005 | 2 |" in text and "| lr 0.02 | 2 |" in text
    svg = (report / "pareto.svg").read_text()
    assert "remos-lr0.005" in svg and "remos-lr0.02" in svg  # each value's group is a point of the board


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--param", "lr=0.01,0.02", "--seeds", "1"), "--seeds 2 or more"),
        (("--param", "lr=0.01", "--param", "lr=0.02"), "given twice"),
    ],
)
def test_what_cannot_be_swept_is_refused_in_one_line_before_any_job(
    args: tuple[str, ...], says: str, cli
) -> None:  # type: ignore[no-untyped-def]
    proc = cli("sweep", "demo", "--method", "remos", *args, "--out", "unused")
    assert proc.returncode == 2 and says in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
