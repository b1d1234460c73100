"""A `--seeds` run in the comparison: one row with mean ± SD and Δ to the matched baselines, one chart series each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.helpers import SIZE, MakeApp, ready
from tests.ui.seedrun import GROUPS, make_seed_run
from tltui.base.rundir import metrics as M
from tltui.base.runfiles import load_json, save_json
from tltui.base.tquantile import t95
from tltui.base.verdicts import board, load_source
from tltui.ui.model.compare_export import comparison_export
from tltui.ui.model.comparerows import comparison_rows, group_cell, groups_of
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
    """Collapsed, a group is its seed mean with 95 % whiskers; expanded (e), its seeds' points."""
    run = seeds_run(tmp_path)
    spec = tradeoff_spec(run)
    labels = [s.label for s in spec.series]
    assert labels == ["scratch", "remos ×3 seeds", "finetune ×3 seeds"]
    remos = spec.series[1]
    half = t95(2) * 0.01 / 3**0.5  # no per-image predictions here: the seeds' t interval
    assert remos.joined and remos.x == pytest.approx((0.11 - half, 0.11 + half, 0.11))
    assert remos.y == (0.9, 0.9, 0.9)  # every seed's accuracy the same: no vertical whisker
    seeds = tradeoff_spec(run, expanded={"remos"}).series[1]
    assert not seeds.joined and sorted(seeds.x) == [0.10, 0.11, 0.12] and seeds.y == (0.9, 0.9, 0.9)


def test_with_predictions_the_whiskers_are_the_pareto_tabs_interval(tmp_path: Path) -> None:
    run_dir = make_seed_run(tmp_path / "run")
    spec = tradeoff_spec(RunData.load(run_dir))
    by = {s.label: s for s in spec.series}
    assert "dare ×3 seeds" in by and "model-doctor channel α = 0 control ×3 seeds" in by
    assert "remos-s0" not in by and "finetune-s0" not in by  # groups are one series each
    assert sum(label.startswith("finetune") for label in by) == 2  # the study's, and the matched seeds once
    point = board([load_source(run_dir)]).point("remos")
    assert point is not None
    remos = by["remos ×3 seeds"]
    assert remos.x == pytest.approx(
        (point.dir.lo, point.dir.hi, point.dir.value, point.dir.value, point.dir.value)
    )
    assert remos.y == pytest.approx((point.acc.value,) * 3 + (point.acc.lo, point.acc.hi))


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
        "dare": "untreated finetune, matched seeds",  # each seed treated the finetune built at that seed
        "fmt": "untreated finetune",  # one untreated model every seed shares
    }
    verdicts = {r.group: r.verdict for r in groups}
    assert verdicts["fmt"] == "more seeds needed"  # 2 identical seeds: no significance claimed
    assert verdicts["remos"] == "DIR beyond noise; AOI within noise"
    assert [r.key for r in rows[len(groups) :]] == ["scratch", "probe", "finetune"]  # seeds collapsed


def test_matched_baselines_a_later_finetune_seeds_run_rewrote_keep_their_name(tmp_path: Path) -> None:
    """`mitigate --method finetune --seeds 3` after remos: finetune-s<k> are now that run's method variants (the
    newest run's records win in the joined state), and still remos' matched baselines, not one untreated model."""
    run = seeds_run(tmp_path)
    for s in range(3):
        run.derived[f"finetune-s{s}"].update(role="method", group="finetune")
    rows = comparison_rows(run, "finetune", COMPARE)
    groups = {r.group: r for r in rows if r.is_group}
    assert groups["remos"].vs == "finetune, matched seeds"
    assert groups["finetune"].vs == "no baseline" and groups["finetune"].verdict == ""  # nothing to judge
    assert [r.key for r in rows if not r.is_group] == ["scratch"]  # the seeds stay inside their groups


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
        await pilot.press("ctrl+s")  # the export: into the run's exports/, named in the toast
        await pilot.pause()
        [csv_path] = [p for p in app.last_exports if p.suffix == ".csv"]
        assert csv_path.parent == app.session.run.run_dir / "exports"  # type: ignore[union-attr]
        assert csv_path.name.startswith("mitigate-compare-")
        header, first = csv_path.read_text().splitlines()[:2]
        assert header.startswith("row,name,kind,baseline,seeds,verdict,run,aoi,aoi_sd,aoi_delta")
        assert first.startswith('group:remos,remos,group,"finetune, matched seeds",0 1 2,')
        toast = list(app._notifications)[-1]
        assert toast.message.startswith(f"into {csv_path.parent}:") and csv_path.name in toast.message


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


def test_dare_at_matched_seeds_is_compared_with_each_seeds_untreated_model(tmp_path: Path) -> None:
    """Seed k treated against seed k untreated: the group interval holds the untreated models' seed variance."""
    run_dir = make_seed_run(tmp_path / "run")
    [dare] = [g for g in groups_of(RunData.load(run_dir)) if g["group"] == "dare"]
    assert [(p["variant"], p["baseline"]) for p in dare["pairs"]] == [
        ("dare-s0", "finetune-s0"), ("dare-s1", "finetune-s1"), ("dare-s2", "finetune-s2")
    ]  # fmt: skip
    assert dare["metrics"][M.DIR.key]["baseline"]["sd"] > 0  # the untreated models differ by seed
    b = board([load_source(run_dir)])
    by = {c.method: c for c in b.comparisons}
    assert by["dare"].baseline_label == "untreated finetune, matched seeds"
    assert by["fmt"].baseline_label == "untreated finetune"
    assert by["dare"].baseline.name == by["remos"].baseline.name  # the same three models: one point
    assert by["dare"].delta[M.DIR.key].includes == "seeds+images"


def test_the_export_carries_what_the_screen_shows(tmp_path: Path) -> None:
    run = RunData.load(make_seed_run(tmp_path / "run"))
    columns, rows = comparison_export(run, "finetune", COMPARE)
    assert columns[:7] == ("row", "name", "kind", "baseline", "seeds", "verdict", "run")
    assert {"dir", "dir_sd", "dir_delta", "dir_delta_lo", "dir_delta_hi", "dir_delta_includes"} <= set(
        columns
    )
    by = {r[0]: dict(zip(columns, r, strict=True)) for r in rows}
    remos = by["group:remos"]
    [group] = [g for g in groups_of(run) if g["group"] == "remos"]
    g = group["metrics"]["dir"]["group"]
    assert (remos["kind"], remos["baseline"], remos["seeds"]) == ("group", "finetune, matched seeds", "0 1 2")
    assert remos["verdict"] == "DIR beyond noise; AOI within noise" and remos["run"]
    assert (remos["dir_delta"], remos["dir_delta_lo"], remos["dir_delta_hi"]) == (
        g["value"],
        g["lo"],
        g["hi"],
    )
    assert remos["dir_delta_includes"] == "seeds+images" and remos["aai_delta_includes"] == "seeds"
    assert by["group:dare"]["baseline"] == "untreated finetune, matched seeds"
    seed = by["remos-s1"]  # every group's seeds, each against its same-seed baseline
    assert (seed["kind"], seed["seeds"], seed["baseline"]) == ("seed", "1", "finetune-s1")
    dir_s1, base_s1 = M.DIR.of(run.variants["remos-s1"]), M.DIR.of(run.variants["finetune-s1"])
    assert seed["dir_delta"] == pytest.approx(dir_s1 - base_s1)  # type: ignore[operator]
    assert by["scratch"]["kind"] == "variant" and by["scratch"]["baseline"] == "finetune"
    assert [r[0] for r in rows if r[2] == "group"] == [f"group:{g}" for g in GROUPS]
    kinds = [r[2] for r in rows]
    assert kinds.index("variant") > max(i for i, k in enumerate(kinds) if k != "variant")  # groups first


def test_a_joined_runs_recorded_group_intervals_travel_with_it(tmp_path: Path) -> None:
    """A study state joins runs: each run's `seeds` block (its recorded group intervals) comes along."""
    run_dir = make_seed_run(tmp_path / "run")
    summary = load_json(run_dir / "summary.json")
    summary["seeds"] = {"method": "remos", "baseline": "finetune", "seeds": [0], "pairs": [], "metrics": {}}
    save_json(run_dir / "summary.json", summary)
    other = seeds_run(tmp_path / "other")
    joined = other.merged(RunData.load(run_dir), ["remos-s0"])
    assert joined.seed_blocks == (summary["seeds"],) and other.seed_blocks == ()
    assert RunData.load(run_dir).merged(joined).seed_blocks == (summary["seeds"],) * 2
