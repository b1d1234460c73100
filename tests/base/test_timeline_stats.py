"""The timeline's arithmetic by hand: Pareto front, dominated area, the checkpoint rule, group bands."""

from __future__ import annotations

import pytest

from tltui.base.rundir.shape_timeline import TimelinePoint, TimelineRun
from tltui.base.timeline import bands, choose, front, group_hypervolumes, hypervolume


def _p(step: int, va: float | None, vd: float | None, ta: float = 0.5, td: float = 0.5) -> TimelinePoint:
    return TimelinePoint(
        step=step, epoch=step / 2, val_accuracy=va, val_dir=vd, test_accuracy=ta, test_dir=td
    )


def test_the_front_keeps_what_nothing_beats() -> None:
    acc = [0.5, 0.8, 0.8, 0.9, 0.6]
    dirs = [0.1, 0.3, 0.4, 0.5, 0.2]
    assert front(acc, dirs) == [0, 1, 3, 4]  # (0.8, 0.4) is beaten by (0.8, 0.3)


def test_the_area_is_the_staircase_under_the_front_from_accuracy_0_and_dir_1() -> None:
    # front (0.5, 0.1), (0.9, 0.5): 0.5 × 0.9 + 0.4 × 0.5
    assert hypervolume([0.5, 0.9, 0.4], [0.1, 0.5, 0.6]) == pytest.approx(0.45 + 0.2)
    assert hypervolume([1.0], [0.0]) == pytest.approx(1.0)
    assert hypervolume([0.0], [0.0]) == 0.0


def test_the_rule_takes_the_lowest_dir_within_a_point_of_the_best_accuracy_on_validation() -> None:
    pts = [_p(0, 0.2, 0.0), _p(1, 0.90, 0.30), _p(2, 0.905, 0.10), _p(3, 0.91, 0.35), _p(4, 0.80, 0.01)]
    assert choose(pts) == 2  # 0.905 ≥ 0.91 − 0.01; 0.80 is too far below
    assert choose(pts, tolerance=0.0) == 3
    tie = [_p(0, 0.9, 0.1), _p(1, 0.905, 0.1)]
    assert choose(tie) == 1  # equal DIR: the higher accuracy
    assert choose([_p(0, None, None)]) is None


def _run(group: str, role: str, seed: int, dirs: list[float]) -> TimelineRun:
    pts = [_p(i, None, None, 0.5, d) for i, d in enumerate(dirs)]
    return TimelineRun(
        variant=f"{group}-s{seed}",
        method=group,
        role=role,
        group=group,
        seed=seed,
        points=pts,
        chosen=None,
        hypervolume=float(seed),
        train_s=1.0,
        eval_s=0.1,
    )


def test_bands_average_each_point_over_seeds_with_their_range() -> None:
    runs = [_run("remos", "method", 0, [0.2, 0.4]), _run("remos", "method", 1, [0.4, 0.4])]
    (band,) = bands(runs, "test_dir")
    assert band.mean == pytest.approx((0.3, 0.4)) and band.n_seeds == 2
    assert band.lo == (0.2, 0.4) and band.hi == (0.4, 0.4)
    one = bands([_run("finetune", "method", 0, [0.1])], "test_dir")[0]
    assert one.lo is None and one.mean == (0.1,)


def test_group_areas_carry_their_seed_interval() -> None:
    runs = [_run("remos", "method", s, [0.1]) for s in (0, 1, 2)]
    runs.append(_run("remos", "baseline", 0, [0.1]))
    (name, m, lo, hi, n), base = group_hypervolumes(runs)
    assert (name, m, n) == ("remos", 1.0, 3) and lo is not None and hi is not None and lo < 1.0 < hi
    assert base[0] == "remos (baseline of remos)" and base[2] is None
