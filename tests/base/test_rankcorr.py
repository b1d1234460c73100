"""Spearman's ρ with its permutation p-value, and the interventions view's bars, on hand-made numbers."""

from __future__ import annotations

import math

from tltui.base.rankcorr import ranks, spearman
from tltui.base.rundir.interval import Interval
from tltui.ui.model.interventions_view import span, whisker_bar


def test_rho_is_one_for_a_monotone_pair_and_the_exact_p_counts_orderings() -> None:
    rc = spearman([1, 2, 3, 4, 5], [10, 20, 30, 40, 50])
    assert rc.rho == 1.0 and rc.exact and rc.n == 5
    assert math.isclose(rc.p or 0, 2 / 120)  # the two orderings with |ρ| = 1 among 5! = 120
    anti = spearman([1, 2, 3, 4], [4, 3, 2, 1])
    assert anti.rho == -1.0


def test_missing_values_are_left_out_and_too_few_pairs_say_none() -> None:
    rc = spearman([1.0, None, 3.0, 2.0], [1.0, 5.0, None, 2.0])
    assert rc.rho is None and rc.p is None and rc.n == 2
    assert spearman([1, 1, 1], [1, 2, 3]).rho is None  # a constant side


def test_ties_share_ranks_and_sampled_p_is_seeded() -> None:
    assert list(ranks([3.0, 1.0, 3.0])) == [2.5, 1.0, 2.5]
    x = list(range(12))
    y = [0, 2, 1, 3, 5, 4, 6, 8, 7, 9, 11, 10]
    a, b = spearman(x, y, n_perm=500), spearman(x, y, n_perm=500)
    assert not a.exact and a.p == b.p and a.p is not None and a.p < 0.01


def test_the_bar_runs_from_zero_to_the_estimate_inside_its_whiskers() -> None:
    iv = Interval(-0.5, -0.8, -0.2, "images")
    bar = whisker_bar(iv, span([iv, Interval(0.1, -0.1, 0.2, "images")]), width=11)
    assert bar == "├──███┤██  "  # axis −0.8…0.2: estimate −0.5 at 3, 0 at 8, the interval’s ends at 0 and 6
    assert whisker_bar(None, (0.0, 1.0), width=5) == " n/a "
