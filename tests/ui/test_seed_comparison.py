"""A `--seeds` run in the comparison: one row with mean ± SD and Δ to the matched baselines, one chart series each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.helpers import SIZE, MakeApp, ready
from tests.ui.seedrun import make_seed_run
from tltui.base.rundir import metrics as M
from tltui.base.runfiles import load_json, save_json
from tltui.base.verdicts import board, load_source
from tltui.ui.model.comparerows import comparison_rows, group_cell
from tltui.ui.model.glossary import delta
from tltui.ui.model.rundata import RunData
from tltui.ui.model.settings import Settings
from tltui.ui.tabs import TABS
from tltui.ui.widgets.comparison import COMPARE, ComparisonTable, tradeoff_spec


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


def test_a_group_cell_gives_spread_and_the_interval_of_its_difference() -> None:
    plain = {"method": {"mean": 0.11, "sd": 0.01}, "delta": {"mean": -0.116}}
    assert group_cell(plain) == "0.110±0.010 Δ-0.116"
    group = {"value": -0.116, "lo": -0.2, "hi": -0.03, "includes": "seeds+images", "verdict": "beyond noise"}
    assert group_cell({**plain, "group": group}) == "0.110±0.010 Δ-0.116 [-0.200, -0.030]"
    assert group_cell(None) == "—"


def test_group_rows_come_first_with_their_matched_baselines_named(tmp_path: Path) -> None:
    run = RunData.load(make_seed_run(tmp_path / "run"))
    rows = comparison_rows(run, "finetune", COMPARE)
    groups = [r for r in rows if r.is_group]
    assert rows[: len(groups)] == groups  # first, whatever the number of variants
    assert {r.group: r.vs for r in groups} == {
        "remos": "finetune, matched seeds",
        "magprune": "finetune, matched seeds",  # its baselines were made by remos' run and reused
        "model-doctor": "model-doctor channel α = 0 control",
        "dare": "untreated finetune",
        "fmt": "untreated finetune",
    }
    verdicts = {r.group: r.verdict for r in groups}
    assert verdicts["fmt"] == "more seeds needed"  # 2 identical seeds: no significance claimed
    assert verdicts["remos"] == "DIR beyond noise; AOI within noise"
    assert [r.key for r in rows[len(groups) :]] == ["scratch", "probe", "finetune"]  # seeds collapsed


def test_an_expanded_group_lists_each_seed_against_its_same_seed_baseline(tmp_path: Path) -> None:
    run = RunData.load(make_seed_run(tmp_path / "run"))
    rows = comparison_rows(run, "finetune", COMPARE, expanded={"remos"})
    seeds = [r for r in rows if r.group == "remos" and not r.is_group]
    assert [r.key for r in seeds] == [
        "remos-s0", "finetune-s0", "remos-s1", "finetune-s1", "remos-s2", "finetune-s2"
    ]  # fmt: skip
    assert [r.vs for r in seeds[::2]] == ["finetune-s0", "finetune-s1", "finetune-s2"]
    aoi, base = M.AOI.of(run.variants["remos-s1"]), M.AOI.of(run.variants["finetune-s1"])
    assert seeds[2].cells[0] == delta(aoi, base)  # not against the study's finetune


async def test_mitigate_shows_group_rows_first_and_expands_them(make_app: MakeApp, tmp_path: Path) -> None:
    app = make_app(make_seed_run(tmp_path / "run"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+5")
        await pilot.pause()
        table = app.workbench.query_one("#mt-compare", ComparisonTable)
        labels = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert labels[0] == "▸ remos ×3 seeds" and len(labels) == 5 + 3
        assert [str(c) for c in table.get_row_at(0)[1:3]] == [
            "finetune, matched seeds",
            "DIR beyond noise; AOI within noise",
        ]
        assert "variant" in str(table.columns[next(iter(table.columns))].label)
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("e")
        await pilot.pause()
        assert table.row_count == 8 + 6 and str(table.get_row_at(1)[0]) == "  seed 0: remos-s0"
        await pilot.press("e")
        await pilot.pause()
        assert table.row_count == 8 and table.cursor_row == 0


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_seed_groups_on_screen_snapshot(
    size: tuple[int, int], make_app: MakeApp, tmp_path: Path, snap_compare: Any
) -> None:
    """Every group row of a run with five seed groups on screen in Mitigate, with its matched baseline named."""
    app = make_app(make_seed_run(tmp_path / "run"), settings=Settings(theme="tltui-dark", gpu_stats=False))

    async def show(pilot: Any) -> None:
        while not app.started or len(app.workbench.views) < len(TABS):
            await pilot.pause(0.05)
        await pilot.press("5")
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=size, run_before=show)


def test_the_rows_and_the_board_read_one_group_interval_the_recorded_one_first(tmp_path: Path) -> None:
    """The comparison rows and the verdict board (Pareto, report, Overview) show a group's one interval:
    computed alike from the predictions, and the one summary.json records when it records one."""
    run_dir = make_seed_run(tmp_path / "run")
    rows = {r.group: r for r in comparison_rows(RunData.load(run_dir), "finetune", COMPARE) if r.is_group}
    remos = next(c for c in board([load_source(run_dir)]).comparisons if c.method == "remos")
    d = remos.delta[M.DIR.key]
    assert f"Δ{d.value:+.3f} [{d.lo:+.3f}, {d.hi:+.3f}]" in rows["remos"].cells[COMPARE.index(M.DIR)]
    summary = load_json(run_dir / "summary.json")
    pairs = [{"seed": s, "variant": f"remos-s{s}", "baseline": f"finetune-s{s}"} for s in range(3)]
    fake = {"value": -0.5, "lo": -0.6, "hi": -0.4, "includes": "seeds+images", "verdict": "beyond noise"}
    fake |= {"n_seeds": 3, "seed_sd": 0.01, "image_se": 0.01}
    metrics = {m.key: {"group": fake} for m in (M.AOI, M.DIR)}
    summary["seeds"] = {"method": "remos", "baseline": "finetune", "seeds": [0, 1, 2], "pairs": pairs}
    summary["seeds"]["metrics"] = metrics
    save_json(run_dir / "summary.json", summary)
    rows = {r.group: r for r in comparison_rows(RunData.load(run_dir), "finetune", COMPARE) if r.is_group}
    assert "Δ-0.500 [-0.600, -0.400]" in rows["remos"].cells[COMPARE.index(M.DIR)]
    remos = next(c for c in board([load_source(run_dir)]).comparisons if c.method == "remos")
    assert (remos.delta[M.DIR.key].value, remos.delta[M.DIR.key].lo) == (-0.5, -0.6)
