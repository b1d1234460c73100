"""Verdicts from hand-made run directories: matched differences, the verdict line, the Pareto front."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.base.rundirs import make_run, seed_run
from tltui.base.intervals import Interval
from tltui.base.rundir.metrics import AOI, DIR
from tltui.base.runfiles import load_json, save_json
from tltui.base.verdicts import MORE_SEEDS, Point, board, load_source, pareto_front


def test_a_strong_method_at_five_seeds_is_beyond_noise(tmp_path: Path) -> None:
    b = board([load_source(seed_run(tmp_path / "r", "remos", 5, effect=0.3))])
    [c] = b.comparisons
    assert c.method == "remos" and c.n_seeds == 5 and c.baseline_label == "finetune, matched seeds"
    assert c.verdict == "beyond noise" and c.delta[DIR.key].includes == "seeds+images"
    assert c.delta[DIR.key].hi < 0 and c.reduction == pytest.approx(0.75, abs=0.1)
    assert c.line().startswith("remos removes ") and c.line().endswith("beyond noise, 5 seeds")
    assert "points of accuracy" in c.line()
    assert c.short().startswith("remos: −") and c.short().endswith(" pts accuracy; beyond noise, 5 seeds")
    assert {"scratch", "finetune", "remos", "finetune, matched seeds"} <= {p.name for p in b.points}
    assert b.point("remos") is not None and b.point("remos").seeds == 5  # type: ignore[union-attr]
    assert "remos-s0" not in {p.name for p in b.points}  # a group is one point


def test_no_effect_is_within_noise_and_two_seeds_need_more(tmp_path: Path) -> None:
    [none] = board([load_source(seed_run(tmp_path / "a", "dare", 4, effect=0.0))]).comparisons
    assert none.verdict == "within noise" and none.delta[DIR.key].lo < 0 < none.delta[DIR.key].hi
    [two] = board([load_source(seed_run(tmp_path / "b", "fmt", 2, effect=0.3))]).comparisons
    assert two.verdict == MORE_SEEDS and two.line().endswith("more seeds needed (2 seeds)")


def test_a_single_produced_variant_is_compared_with_its_base(tmp_path: Path) -> None:
    derived = {"dare": {"kind": "treatment", "method": "dare", "base": "finetune", "params": {}}}
    run = make_run(
        tmp_path / "r",
        {"scratch": (0.9, 0.1, 1), "finetune": (0.9, 0.4, 2), "dare": (0.85, 0.2, 3)},
        derived,
        produced="dare",
    )
    b = board([load_source(run)])
    [c] = b.comparisons
    assert c.baseline.name == "finetune" and c.n_seeds == 1 and c.verdict == MORE_SEEDS
    assert c.delta[DIR.key].includes == "images"
    assert b.study_line is not None and b.study_line.startswith("study: finetune DIR ")
    assert "inherited" in b.study_line


def test_recorded_intervals_are_preferred(tmp_path: Path) -> None:
    run = seed_run(tmp_path / "r", "remos", 3, effect=0.3)
    summary = load_json(run / "summary.json")
    summary["variants"]["scratch"]["intervals"] = {
        AOI.key: {"value": 0.5, "lo": 0.4, "hi": 0.6, "includes": "images"},
        DIR.key: {"value": 0.05, "lo": 0.01, "hi": 0.09, "includes": "images"},
    }
    group = {"value": -0.1, "lo": -0.2, "hi": 0.05, "includes": "seeds+images", "verdict": "within noise"}
    summary["seeds"]["metrics"][DIR.key]["group"] = group
    summary["seeds"]["metrics"][AOI.key]["group"] = {**group, "value": 0.0, "lo": -0.01, "hi": 0.01}
    save_json(run / "summary.json", summary)
    b = board([load_source(run)])
    assert b.point("scratch").acc == Interval(0.5, 0.4, 0.6, "images")  # type: ignore[union-attr]
    [c] = b.comparisons
    assert c.delta[DIR.key] == Interval(-0.1, -0.2, 0.05, "seeds+images") and c.verdict == "within noise"


def test_runs_are_joined_and_without_predictions_values_stand_alone(tmp_path: Path) -> None:
    first = seed_run(tmp_path / "a", "remos", 3, effect=0.3)
    second = seed_run(tmp_path / "b", "fmt", 3, effect=0.0)
    b = board([load_source(first), load_source(second)])
    assert [c.method for c in b.comparisons] == ["remos", "fmt"]
    assert [c.baseline.name for c in b.comparisons] == ["finetune, matched seeds"] * 2  # the same models
    (second / "instances.npz").unlink()
    bare = board([load_source(second)])
    assert bare.notes and bare.comparisons[0].verdict == MORE_SEEDS


def _stamped(run: Path, created: float) -> Path:
    """The run's produced records stamped as made at `created` (as real runs record them)."""
    summary = load_json(run / "summary.json")
    for meta in summary["derived"].values():
        meta["created"] = created
    save_json(run / "summary.json", summary)
    return run


def test_a_variant_made_again_later_comes_from_the_later_run_in_any_order(tmp_path: Path) -> None:
    old = _stamped(seed_run(tmp_path / "old", "remos", 3, effect=0.0), 100.0)
    new = _stamped(seed_run(tmp_path / "new", "remos", 3, effect=0.3), 200.0)
    for order in ([old, new], [new, old]):
        b = board([load_source(r) for r in order])
        [c] = b.comparisons
        assert (
            c.verdict == "beyond noise" and c.delta[DIR.key].hi < 0
        )  # the newer remos-s*, not the first run's
        assert b.point("remos").dir.value < 0.2  # type: ignore[union-attr]


def _p(name: str, dir_: float, acc: float) -> Point:
    return Point(name, Interval(acc, acc, acc, "images"), Interval(dir_, dir_, dir_, "images"))


def test_pareto_front_keeps_what_nothing_beats_on_both() -> None:
    points = [_p("a", 0.1, 0.8), _p("b", 0.3, 0.9), _p("c", 0.3, 0.85), _p("d", 0.05, 0.7), _p("e", 0.2, 0.8)]
    assert pareto_front(points) == ["d", "a", "b"]


def test_the_svg_draws_a_cross_per_point_and_the_front(tmp_path: Path) -> None:
    from xml.etree import ElementTree

    from tltui.base.paretosvg import pareto_svg
    from tltui.base.verdicts import Board

    b = board([load_source(seed_run(tmp_path / "r", "remos", 3, effect=0.3))])
    root = ElementTree.fromstring(pareto_svg(b))
    lines = [e for e in root.iter() if e.tag.endswith("line")]
    assert len(lines) >= 2 * len(b.points) and any(e.tag.endswith("polyline") for e in root.iter())
    assert "nothing to compare" in pareto_svg(Board([], [], []))
