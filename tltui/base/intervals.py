"""Intervals for accuracy and DIR: a paired bootstrap over test images, and seed groups (seeds and images).

docs/intervals.md says what variance each interval includes and why the seed-group interval is built this way.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tltui.base.rundir.interval import Interval as Interval
from tltui.base.rundir.metrics import AOI, DIR
from tltui.base.tquantile import t95
from tltui.base.verdict import MIN_SEEDS as MIN_SEEDS
from tltui.base.verdict import verdict as judge

N_BOOT = 2000
"""Bootstrap replicates: the 2.5 % and 97.5 % quantiles of 2 000 replicates move by < 0.1 of a standard error."""
BOOT_SEED = 0
"""The bootstrap's own seed, recorded beside each interval: the same run gives the same interval."""
_CHUNK = 256  # replicates per block, so memory stays at _CHUNK × n_images counts

Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Outcomes:
    """One model on one test set, per image: right when clean, and fooled by the teacher-crafted input (right when
    clean and its prediction changed), the two things accuracy and DIR count."""

    correct: Bools
    fooled: Bools

    @classmethod
    def of(
        cls, y: NDArray[np.integer], pred: NDArray[np.integer], teacher_adv_pred: NDArray[np.integer]
    ) -> Outcomes:
        correct = np.asarray(pred) == np.asarray(y)
        return cls(correct, correct & (np.asarray(teacher_adv_pred) != np.asarray(pred)))

    def __len__(self) -> int:
        return int(self.correct.shape[0])


def _weights(n: int, n_boot: int, seed: int) -> list[NDArray[np.float64]]:
    """Bootstrap resamples of n images as count matrices (replicates × images), in blocks."""
    rng = np.random.default_rng(seed)
    blocks, left = [], n_boot
    while left > 0:
        k = min(_CHUNK, left)
        blocks.append(rng.multinomial(n, np.full(n, 1.0 / n), size=k).astype(np.float64))
        left -= k
    return blocks


def _rates(o: Outcomes, w: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Accuracy and DIR of `o` under each row of image weights `w`."""
    right = w @ o.correct.astype(np.float64)
    fooled = w @ o.fooled.astype(np.float64)
    total = w.sum(axis=1)
    acc = right / total
    dir_ = np.divide(fooled, right, out=np.zeros_like(right), where=right > 0)
    return acc, dir_


def point(o: Outcomes) -> tuple[float, float]:
    """Accuracy and DIR of one model (DIR 0 when it gets nothing right)."""
    acc, dir_ = _rates(o, np.ones((1, len(o))))
    return float(acc[0]), float(dir_[0])


def _quantiles(reps: NDArray[np.float64]) -> tuple[float, float]:
    lo, hi = np.quantile(reps, [0.025, 0.975])
    return float(lo), float(hi)


def variant_intervals(o: Outcomes, *, n_boot: int = N_BOOT, seed: int = BOOT_SEED) -> dict[str, Interval]:
    """Accuracy and DIR of one model with a percentile bootstrap interval over its test images."""
    acc0, dir0 = point(o)
    reps = [_rates(o, w) for w in _weights(len(o), n_boot, seed)]
    acc = np.concatenate([r[0] for r in reps])
    dir_ = np.concatenate([r[1] for r in reps])
    return {
        AOI.key: Interval(acc0, *_quantiles(acc), "images"),
        DIR.key: Interval(dir0, *_quantiles(dir_), "images"),
    }


def _check_pairs(pairs: Sequence[tuple[Outcomes, Outcomes]]) -> int:
    if not pairs:
        raise ValueError("no method/baseline pairs")
    n = len(pairs[0][0])
    if any(len(m) != n or len(b) != n for m, b in pairs):
        raise ValueError("every model of a group must be evaluated on the same test images")
    return n


def _deltas(
    pairs: Sequence[tuple[Outcomes, Outcomes]], w: NDArray[np.float64]
) -> dict[str, NDArray[np.float64]]:
    """Per seed (columns) and image resample (rows): method − baseline accuracy and DIR."""
    acc, dir_ = [], []
    for m, b in pairs:
        ma, md = _rates(m, w)
        ba, bd = _rates(b, w)
        acc.append(ma - ba)
        dir_.append(md - bd)
    return {AOI.key: np.stack(acc, axis=1), DIR.key: np.stack(dir_, axis=1)}


def _t_quantile(seed_var: float, image_var: float, seed_df: int) -> float:
    """The 95 % t quantile for a variance whose seed part has `seed_df` degrees of freedom and whose image part,
    from thousands of images, has practically infinitely many (Welch–Satterthwaite, rounded down)."""
    if seed_var <= 0.0:
        return 1.96
    df = seed_df * ((seed_var + image_var) / seed_var) ** 2
    return t95(int(min(df, 1000.0)))


@dataclass(frozen=True)
class GroupDelta:
    """A seed group's mean difference to its matched baselines, per metric, and whether it can be told from noise."""

    n_seeds: int
    delta: dict[str, Interval]
    per_seed: dict[str, list[float]]
    seed_sd: dict[str, float]
    image_se: dict[str, float]
    n_boot: int
    boot_seed: int

    def verdict(self, metric: str) -> str:
        """`more seeds needed`, `within noise` or `beyond noise` for one metric's difference."""
        iv = self.delta[metric]
        return judge(self.n_seeds, self.seed_sd[metric], iv.lo, iv.hi)


def group_delta(
    pairs: Sequence[tuple[Outcomes, Outcomes]], *, n_boot: int = N_BOOT, seed: int = BOOT_SEED
) -> GroupDelta:
    """Method − matched baseline over the seeds of a group: the mean difference of accuracy and DIR with a 95 %
    interval from two variance components and a t quantile (Welch–Satterthwaite degrees of freedom):

    - the seeds' spread, sd² / S: seed variance, and each seed's own image noise (how its errors fall on images);
    - the test-set sampling error all seeds share (they read the same images): from image resamples (the same
      images for every seed and both sides), the variance of the seed-mean difference v̄ less the part each seed's
      own noise already counted above, (S·v̄ − mean of the per-seed variances) / (S − 1), at least 0.

    One seed: the image interval alone (and no verdict)."""
    n = _check_pairs(pairs)
    s = len(pairs)
    full = _deltas(pairs, np.ones((1, n)))
    reps = [_deltas(pairs, w) for w in _weights(n, n_boot, seed)]
    delta, per_seed, seed_sd, image_se = {}, {}, {}, {}
    for key in (AOI.key, DIR.key):
        values = full[key][0]
        mean = float(values.mean())
        boot = np.concatenate([r[key] for r in reps])
        boot_means = boot.mean(axis=1)
        per_seed[key] = [float(v) for v in values]
        if s == 1:
            seed_sd[key], image_se[key] = 0.0, float(boot_means.std(ddof=1))
            delta[key] = Interval(mean, *_quantiles(boot_means), "images")
            continue
        v_mean, v_each = float(boot_means.var(ddof=1)), float(boot.var(axis=0, ddof=1).mean())
        img_var = max(0.0, (s * v_mean - v_each) / (s - 1))
        image_se[key] = math.sqrt(img_var)
        sd = float(values.std(ddof=1))
        seed_sd[key] = sd
        half = _t_quantile(sd * sd / s, img_var, s - 1) * math.sqrt(sd * sd / s + img_var)
        delta[key] = Interval(mean, mean - half, mean + half, "seeds+images")
    return GroupDelta(s, delta, per_seed, seed_sd, image_se, n_boot, seed)


def group_mean(
    members: Sequence[Outcomes], *, n_boot: int = N_BOOT, seed: int = BOOT_SEED
) -> dict[str, Interval]:
    """Accuracy and DIR of a seed group as one point: the seeds' mean with its interval over seeds and images
    (`group_delta` against a model that gets nothing right); one member: its image interval. Both are shares, so
    the interval is cut to [0, 1] (the t interval is symmetric and can pass a bound the share cannot)."""
    if not members:
        raise ValueError("a group without members")
    n = len(members[0])
    nothing = Outcomes(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    spread = group_delta([(m, nothing) for m in members], n_boot=n_boot, seed=seed).delta
    return {
        key: dataclasses.replace(iv, lo=min(max(iv.lo, 0.0), 1.0), hi=min(max(iv.hi, 0.0), 1.0))
        for key, iv in spread.items()
    }
