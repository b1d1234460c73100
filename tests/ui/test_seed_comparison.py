"""A `--seeds` run in the comparison: one row with mean ± SD and Δ to the matched baselines, one chart series each."""

from __future__ import annotations

from pathlib import Path

from tltui.ui.model.rundata import RunData
from tltui.ui.widgets.comparison import seed_cell, tradeoff_spec


def seeds_run(tmp_path: Path) -> RunData:
    variants = {"scratch": {"aoi": 0.97, "dir": 0.02}}
    derived = {}
    for s, (r, f) in enumerate([(0.10, 0.22), (0.12, 0.21), (0.11, 0.25)]):
        variants[f"remos-s{s}"] = {"aoi": 0.9, "aai": 0.1, "dir": r, "macro_f1": 0.9}
        variants[f"finetune-s{s}"] = {"aoi": 0.91, "aai": 0.01, "dir": f, "macro_f1": 0.9}
        derived[f"remos-s{s}"] = {
            "method": "remos",
            "kind": "mitigation",
            "role": "method",
            "group": "remos",
            "seed": s,
        }
        derived[f"finetune-s{s}"] = {
            "method": "finetune",
            "kind": "mitigation",
            "role": "baseline",
            "group": "remos",
            "seed": s,
        }
    return RunData(tmp_path, {"study": "demo", "variants": variants, "derived": derived})


def test_the_chart_shows_each_seed_group_as_one_series(tmp_path: Path) -> None:
    spec = tradeoff_spec(seeds_run(tmp_path))
    labels = [s.label for s in spec.series]
    assert labels == ["scratch", "remos ×3 seeds", "finetune ×3 seeds"]
    remos = spec.series[1]
    assert sorted(remos.x) == [0.10, 0.11, 0.12] and remos.y == (0.9, 0.9, 0.9)


def test_a_seed_cell_gives_spread_and_marks_noise() -> None:
    within = {"method": {"mean": 0.11, "sd": 0.01}, "delta": {"mean": -0.01, "within_noise": True}}
    beyond = {"method": {"mean": 0.11, "sd": 0.01}, "delta": {"mean": -0.116, "within_noise": False}}
    assert seed_cell(within) == "0.110±0.010 Δ-0.010 ~noise"
    assert seed_cell(beyond) == "0.110±0.010 Δ-0.116"
    assert seed_cell(None) == "—"
