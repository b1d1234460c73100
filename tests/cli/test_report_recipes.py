"""The report's recipe lines (a `--seeds` group names the seeds it ran, not the first seed's own record) and warnings."""

from __future__ import annotations

from pathlib import Path

from tests.base.rundirs import seed_run
from tltui.base.runfiles import load_json, save_json
from tltui.base.verdicts import board, load_source
from tltui.commands.report import report_md


def test_a_seed_group_recipe_names_its_seeds(tmp_path: Path) -> None:
    run = seed_run(tmp_path / "remos", "remos", 5, effect=0.3)
    summary = load_json(run / "summary.json")
    for rec in summary["derived"].values():
        rec["params"] = {"ratio": 0.03, "seed": rec["seed"], "seeds": 1}  # what each seed's job records
    save_json(run / "summary.json", summary)
    source = load_source(run)
    md = report_md(board([source]), [source])
    assert "- remos: ratio = 0.03, seeds = 5 (0, 1, 2, 3, 4)\n" in md
    # the matched baselines are no group's method here: their first record stands as it is
    assert "- finetune: ratio = 0.03, seed = 0, seeds = 1\n" in md


def test_a_runs_warning_is_in_the_report(tmp_path: Path) -> None:
    run = seed_run(tmp_path / "remos", "remos", 3, effect=0.3)
    warning = "the finetune baseline may be undertrained (accuracy 0.91 vs scratch 0.98): tune it with --tune-baseline"
    summary = load_json(run / "summary.json")
    summary["warnings"] = [warning]
    save_json(run / "summary.json", summary)
    source = load_source(run)
    md = report_md(board([source, source]), [source, source])
    assert md.count(warning) == 1 and f"## Warnings\n\n- {warning}\n" in md
