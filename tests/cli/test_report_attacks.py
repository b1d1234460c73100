"""The report names the checks each run made and, where a run has them, the AutoAttack preset and the DIR ladder."""

from __future__ import annotations

from pathlib import Path

from tests.base.rundirs import seed_run
from tests.ui.test_robustness_view import autoattack, ladder
from tltui.base.runfiles import load_json, save_json
from tltui.base.verdicts import board, load_source
from tltui.commands.report import report_md


def test_the_checks_the_preset_and_the_ladder_are_in_the_report(tmp_path: Path) -> None:
    run = seed_run(tmp_path / "remos", "remos", 3, effect=0.3)
    summary = load_json(run / "summary.json")
    names = list(summary["variants"])[:3]
    summary["variants"][names[0]]["aai"] = 0.312  # the study's own white-box accuracy, beside the preset's
    aa, dl = autoattack(), ladder()
    aa["variants"] = {n: aa["variants"]["scratch"] for n in names}
    dl["worst"] = {n: dl["worst"]["scratch"] for n in names}
    for r in dl["rungs"]:
        r["variants"] = {n: r["variants"]["probe"] for n in names}
    checks = {
        "ran": ["a", "b"],
        "models": ["teacher", *names],
        "sample": 16,
        "findings": [],
        "acknowledged": [],
    }
    save_json(
        run / "summary.json",
        {**summary, "autoattack": aa, "dir_ladder": dl, "checks": {**checks, "seconds": 0.1}},
    )
    source = load_source(run)
    md = report_md(board([source]), [source])
    assert "## Checks\n\n- `remos`: checks: 2 ran on 4 models, none fired\n" in md
    assert "## AutoAttack preset (`remos`)" in md and "Square 5000 queries" in md
    assert f"| {names[0]} | 0.900 | 0.312 | 0.300 | 0.250 | 0.250 | 0.250 | 0.250 |" in md
    assert "## DIR ladder (`remos`)" in md
    assert (
        "| logit-apgd | logits | logit-apgd L∞ ε=0.1 α=0.02 · 10 steps · 1 restart · random start | 1.5 |"
        in md
    )
    assert f"| {names[0]} | 0.600 [0.550, 0.650] | logit-apgd | 0.700 [0.650, 0.750] |" in md
