"""Fairness metrics: AIF360's ClassificationMetric on binary tasks (to 1e-9), one-vs-rest by hand for K > 2."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tltui.base.errors import StudyError
from tltui.core.fairness import binary_metrics, fairness_report, favourable_index, one_vs_rest


def aif360_metrics(y: np.ndarray, p: np.ndarray, g: np.ndarray, fav: int) -> dict[str, float]:
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from aif360 import datasets, metrics
    df = pd.DataFrame({"y": y.astype(float), "g": g.astype(float)})
    truth = datasets.BinaryLabelDataset(
        df=df,
        label_names=["y"],
        protected_attribute_names=["g"],
        favorable_label=fav,
        unfavorable_label=1 - fav,
    )
    pred = truth.copy()
    pred.labels = p.reshape(-1, 1).astype(float)
    m = metrics.ClassificationMetric(
        truth, pred, unprivileged_groups=[{"g": 0}], privileged_groups=[{"g": 1}]
    )
    return {
        "spd": m.statistical_parity_difference(),
        "eod": m.equal_opportunity_difference(),
        "aaod": m.average_abs_odds_difference(),
    }


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("fav", [0, 1])
def test_binary_metrics_equal_aif360(seed: int, fav: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    y, p, g = rng.integers(0, 2, n), rng.integers(0, 2, n), rng.integers(0, 2, n)
    ours = fairness_report(y, p, g, 2, fav)
    theirs = aif360_metrics(y, p, g, fav)
    for key in ("spd", "eod", "aaod"):
        assert ours[key] == pytest.approx(theirs[key], abs=1e-9), key
    assert ours["scheme"] == "binary" and ours["favourable"] == fav


def test_eod_and_aaod_differ_on_a_binary_task() -> None:
    # The one-vs-rest mean made EOD equal AAOD when K = 2; the binary definitions do not.
    rng = np.random.default_rng(7)
    y, p, g = rng.integers(0, 2, 400), rng.integers(0, 2, 400), rng.integers(0, 2, 400)
    m = binary_metrics(y, p, g, 1)
    assert abs(m["eod"]) != pytest.approx(m["aaod"])


def test_one_vs_rest_on_a_hand_computed_three_class_case() -> None:
    y = np.array([0, 1, 2, 0, 1, 2])
    p = np.array([0, 1, 1, 0, 2, 2])
    g = np.array([0, 0, 0, 1, 1, 1])
    # class 0: ŷ=0 rate 1/3 in both groups → SPD 0; TPR 1 vs 1 → EOD 0; FPR 0 vs 0 → AAOD 0
    # class 1: rate 2/3 (g0) vs 0 (g1) → |SPD| 2/3; TPR 1 vs 0 → |EOD| 1; FPR 1/2 vs 0 → AAOD ½(1/2 + 1) = 3/4
    # class 2: rate 0 vs 2/3 → 2/3; TPR 0 vs 1 → 1; FPR 0 vs 1/2 → AAOD 3/4
    m = one_vs_rest(y, p, g, 3)
    assert (
        m["spd"] == pytest.approx(4 / 9)
        and m["eod"] == pytest.approx(2 / 3)
        and m["aaod"] == pytest.approx(1 / 2)
    )
    assert fairness_report(y, p, g, 3)["scheme"] == "one-vs-rest"


def test_fair_predictions_score_zero_and_undefined_classes_are_skipped() -> None:
    y = np.array([0, 0, 1, 1, 0, 0, 1, 1])
    g = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    rep = fairness_report(y, y, g, 2)
    assert rep["spd"] == 0 and rep["eod"] == 0 and rep["aaod"] == 0
    m = one_vs_rest(y, y, g, 3)  # class 2 never occurs: left out, not counted as zero
    assert m["spd"] == 0 and not np.isnan(m["aaod"])


def test_favourable_class_is_named_by_the_study() -> None:
    assert favourable_index(["cat", "dog"], "cat") == 0
    assert favourable_index(["cat", "dog"], None) is None
    with pytest.raises(StudyError, match="favourable = 'cow'"):
        favourable_index(["cat", "dog"], "cow")
