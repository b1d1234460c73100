"""`tltui report` on a run that holds interventions.json: the per-layer table, the top-k rows and each passive
score's ρ are in report.md (in process: the report needs no torch)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tltui.cli import main

FIXTURES = Path(__file__).parents[1] / "ui" / "fixtures"


def test_the_report_includes_the_interventions(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    run = tmp_path / "demo-run"
    shutil.copytree(FIXTURES / "demo-run", run)
    assert "Layer interventions" not in _report(run, tmp_path / "plain")
    shutil.copy(FIXTURES / "interventions.json", run / "interventions.json")
    md = _report(run, tmp_path / "out")
    assert "## Layer interventions: finetune" in md
    assert "| rank | layer | Δ DIR restore | Δ DIR reinit |" in md
    assert "| 1 | `conv3` | +0.141 [+0.084, +0.196] | +0.284 [+0.115, +0.448] |" in md
    assert "| 2 | `conv3`, `conv1` |" in md  # the cumulative top-k
    assert "| CKA teacher × student | 0.05 | 1.000 | 5 | + | no evidence (p ≥ 0.05) |" in md
    capsys.readouterr()


def _report(run: Path, out: Path) -> str:
    assert main(["report", str(run), "--out", str(out)]) == 0
    return (out / "report.md").read_text()
