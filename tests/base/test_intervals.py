"""Intervals: hand-checked cases, no significance without seeds or spread, and coverage checked by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tltui.base.intervals import MIN_SEEDS, Outcomes, group_delta, group_mean, point, variant_intervals
from tltui.base.rundir.metrics import AOI, DIR
from tltui.base.seedstats import t95


def outcomes(correct: list[int], fooled: list[int]) -> Outcomes:
    return Outcomes(np.array(correct, bool), np.array(fooled, bool) & np.array(correct, bool))


def test_outcomes_follow_the_definition_of_dir() -> None:
    y = np.array([0, 1, 2, 3])
    o = Outcomes.of(y, pred=np.array([0, 1, 2, 0]), teacher_adv_pred=np.array([1, 1, 0, 1]))
    assert o.correct.tolist() == [True, True, True, False]
    assert o.fooled.tolist() == [True, False, True, False]  # a wrong clean answer is never "fooled"
    assert point(o) == (0.75, 2 / 3)


def test_two_images_by_hand() -> None:
    # resampling two images, one right and one wrong: accuracy 0, 1/2, 1 with chances 1/4, 1/2, 1/4, so the
    # 2.5 % and 97.5 % quantiles are 0 and 1
    iv = variant_intervals(outcomes([1, 0], [0, 0]))["aoi"]
    assert (iv.value, iv.lo, iv.hi, iv.includes) == (0.5, 0.0, 1.0, "images")


def test_an_unanimous_test_set_has_no_image_noise() -> None:
    iv = variant_intervals(outcomes([1] * 50, [0] * 50))
    assert (iv["aoi"].lo, iv["aoi"].hi) == (1.0, 1.0)
    assert (iv["dir"].lo, iv["dir"].hi) == (0.0, 0.0)


def test_the_bootstrap_is_seeded() -> None:
    rng = np.random.default_rng(3)
    o = outcomes(list(rng.random(200) < 0.8), list(rng.random(200) < 0.3))
    assert variant_intervals(o, seed=1) == variant_intervals(o, seed=1)
    assert variant_intervals(o, seed=1) != variant_intervals(o, seed=2)


def _flipped(base: Outcomes, k: int) -> Outcomes:
    """`base` with its first k wrong answers made right (accuracy + k/N, DIR's numerator unchanged)."""
    correct = base.correct.copy()
    correct[np.flatnonzero(~correct)[:k]] = True
    return Outcomes(correct, base.fooled.copy())


def test_a_group_by_hand() -> None:
    base = outcomes([1] * 60 + [0] * 40, [1] * 20 + [0] * 80)
    pairs = [(_flipped(base, k), base) for k in (2, 4, 9)]
    g = group_delta(pairs)
    assert g.per_seed["aoi"] == pytest.approx([0.02, 0.04, 0.09])
    sd = float(np.std([0.02, 0.04, 0.09], ddof=1))
    assert g.seed_sd["aoi"] == pytest.approx(sd)
    var = sd**2 / 3 + g.image_se["aoi"] ** 2
    half = t95(int(2 * (var / (sd**2 / 3)) ** 2)) * math.sqrt(var)  # Welch–Satterthwaite degrees of freedom
    iv = g.delta["aoi"]
    assert (iv.value, iv.includes) == (pytest.approx(0.05), "seeds+images")
    assert (iv.lo, iv.hi) == (pytest.approx(0.05 - half), pytest.approx(0.05 + half))
    assert 0 < g.image_se["aoi"] < 0.05
    assert g.verdict("aoi") == ("beyond noise" if iv.lo > 0 else "within noise")


@pytest.mark.parametrize("n_seeds", range(1, MIN_SEEDS))
def test_fewer_than_three_seeds_claim_nothing(n_seeds: int) -> None:
    base = outcomes([1] * 60 + [0] * 40, [1] * 20 + [0] * 80)
    g = group_delta([(_flipped(base, 30 + i), base) for i in range(n_seeds)])
    assert g.delta["aoi"].value > 0.25  # a large effect ...
    assert g.verdict("aoi") == "more seeds needed"  # ... but the seed noise is unknown


def test_zero_spread_claims_nothing() -> None:
    base = outcomes([1] * 60 + [0] * 40, [1] * 20 + [0] * 80)
    g = group_delta([(_flipped(base, 8), base)] * 4)
    assert g.seed_sd["aoi"] == 0.0
    assert g.verdict("aoi") == "more seeds needed"


def test_models_on_different_test_sets_are_refused() -> None:
    a, b = outcomes([1, 0], [0, 0]), outcomes([1, 0, 1], [0, 0, 0])
    with pytest.raises(ValueError, match="same test images"):
        group_delta([(a, b)])


# -- coverage by simulation ------------------------------------------------------------------------------------
# Each image has latents shared by every model (z: how hard it is; w: how exposed to the teacher's attack), each
# seed an effect on the model it trains, each (image, seed) its own noise. A model is right when z + a_s + e > c,
# fooled when right and w + b_s + e' > d. Over images and seeds the population accuracy is then Φ(−c / √(1+τ²+σ²))
# and the DIR Φ(−d / √(1+τ²+σ²)) (w and z independent): the truth each group interval should cover.
N_IMAGES = 300
SEEDS_MATTER, IMAGES_MATTER = (0.3, 0.5), (0.02, 0.1)
"""(τ, σ): seed effects and per-seed noise dominate, or the test set's own sampling does."""
C = {"method": -0.9, "baseline": -0.6}
D = {"method": 0.9, "baseline": 0.3}


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _truth(metric: str, tau: float, sigma: float) -> float:
    scale = math.sqrt(1 + tau**2 + sigma**2)
    if metric == "aoi":
        return _phi(-C["method"] / scale) - _phi(-C["baseline"] / scale)
    return _phi(-D["method"] / scale) - _phi(-D["baseline"] / scale)


def _model(
    rng: np.random.Generator, z: np.ndarray, w: np.ndarray, side: str, tau: float, sigma: float
) -> Outcomes:
    a, b = rng.normal(0, tau, 2)
    right = z + a + rng.normal(0, sigma, z.shape) > C[side]
    return Outcomes(right, right & (w + b + rng.normal(0, sigma, w.shape) > D[side]))


def _coverage(n_seeds: int, reps: int, tau: float, sigma: float) -> dict[str, float]:
    rng = np.random.default_rng(20261206 + n_seeds)
    hits = {"aoi": 0, "dir": 0}
    for _ in range(reps):
        z, w = rng.normal(size=N_IMAGES), rng.normal(size=N_IMAGES)
        pairs = [
            (_model(rng, z, w, "method", tau, sigma), _model(rng, z, w, "baseline", tau, sigma))
            for _ in range(n_seeds)
        ]
        g = group_delta(pairs, n_boot=400, seed=int(rng.integers(1 << 30)))
        for metric in hits:
            iv = g.delta[metric]
            hits[metric] += iv.lo <= _truth(metric, tau, sigma) <= iv.hi
    return {k: v / reps for k, v in hits.items()}


@pytest.mark.parametrize("n_seeds", [3, 5])
@pytest.mark.parametrize("noise", [SEEDS_MATTER, IMAGES_MATTER], ids=["seeds-matter", "images-matter"])
def test_group_intervals_cover_the_truth_about_95_percent_of_the_time(
    n_seeds: int, noise: tuple[float, float]
) -> None:
    cover = _coverage(n_seeds, 200, *noise)
    assert all(0.90 <= c <= 0.99 for c in cover.values()), cover


def test_image_intervals_cover_the_truth_about_95_percent_of_the_time() -> None:
    # one fixed model (no seed effect): the truth is the model's own population accuracy and DIR
    rng = np.random.default_rng(7)
    truth_acc, truth_dir, hits, reps = _phi(0.6 / math.sqrt(1.25)), _phi(-0.3 / math.sqrt(1.25)), [0, 0], 200
    for _ in range(reps):
        z, w = rng.normal(size=N_IMAGES), rng.normal(size=N_IMAGES)
        right = z + rng.normal(0, 0.5, N_IMAGES) > -0.6
        o = Outcomes(right, right & (w + rng.normal(0, 0.5, N_IMAGES) > 0.3))
        iv = variant_intervals(o, n_boot=400, seed=int(rng.integers(1 << 30)))
        hits[0] += iv["aoi"].lo <= truth_acc <= iv["aoi"].hi
        hits[1] += iv["dir"].lo <= truth_dir <= iv["dir"].hi
    assert all(0.90 <= h / reps <= 0.99 for h in hits), hits


def test_a_group_mean_interval_stays_within_the_shares_bounds() -> None:
    # three seeds near 100 % accuracy and 0 DIR: the symmetric t interval would pass 1 and 0
    rng = np.random.default_rng(3)
    n = 40
    members = []
    for wrong, fooled_n in ((0, 0), (0, 0), (3, 3)):
        clean = np.ones(n, dtype=bool)
        clean[rng.choice(n, wrong, replace=False)] = False
        fooled = np.zeros(n, dtype=bool)
        fooled[np.flatnonzero(clean)[:fooled_n]] = True
        members.append(Outcomes(clean, fooled))
    g = group_mean(members, n_boot=200, seed=0)
    for iv in g.values():
        assert 0.0 <= iv.lo <= iv.value <= iv.hi <= 1.0
    assert g[AOI.key].hi == 1.0 and g[DIR.key].lo == 0.0
