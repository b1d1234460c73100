"""End to end: `analyze demo --attack-preset autoattack --dir-ladder` records both blocks in summary.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.quick import QUICK_ATTACK
from tltui.base.catalogue.attacks import LADDER

AA_LOW = ("--aa-steps", "2", "--aa-targets", "1", "--aa-queries", "5")
"""The preset at a fraction of its budget: this checks the wiring; the demo's full-budget run is in the README."""


@pytest.mark.e2e
def test_analyze_records_the_preset_and_the_ladder(tmp_path: Path, cli, demo_run: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    flags = ("--attack-preset", "autoattack", "--dir-ladder", *AA_LOW, *QUICK_ATTACK)
    proc = cli("analyze", "demo", "--out", str(out), "--device", "cpu", *flags)  # demo_run cached the models
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    aa, ladder, variants = summary["autoattack"], summary["dir_ladder"], summary["variants"]
    assert (aa["preset"], aa["steps"], aa["targets"], aa["queries"]) == ("autoattack", 2, 1, 5)
    assert set(aa["variants"]) == set(variants) == set(ladder["worst"])
    for name, v in aa["variants"].items():
        assert [a["name"] for a in v["attacks"]] == ["apgd-ce", "apgd-t", "fab-t", "square"]
        assert v["robust_acc"] <= v["clean_acc"] == pytest.approx(variants[name]["aoi"])
    assert [r["name"] for r in ladder["rungs"]] == list(LADDER)
    feature = next(r for r in ladder["rungs"] if r["name"] == "feature")
    for name, worst in ladder["worst"].items():
        assert feature["variants"][name]["value"] == pytest.approx(variants[name]["dir"])  # the study's DIR
        assert worst["value"]["value"] >= feature["variants"][name]["value"]
