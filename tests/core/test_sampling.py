"""Stratified samples: proportional per class, seeded, sorted, and the whole split when it is small."""

from __future__ import annotations

import numpy as np

from tltui.core.sampling import stratified_sample


def test_each_class_gets_its_share_and_the_draw_is_seeded() -> None:
    y = np.repeat([0, 1, 2], [600, 300, 100])  # listed class by class, as ImageFolder lists files
    idx = stratified_sample(y, 100, seed=3)
    assert len(idx) == 100 and np.all(np.diff(idx) > 0)
    assert np.bincount(y[idx]).tolist() == [60, 30, 10]  # not the first 100 (all class 0)
    assert np.array_equal(idx, stratified_sample(y, 100, seed=3))
    assert not np.array_equal(idx, stratified_sample(y, 100, seed=4))


def test_rounding_keeps_the_total_and_small_splits_are_taken_whole() -> None:
    y = np.repeat([0, 1, 2], [5, 5, 5])
    assert len(stratified_sample(y, 7, seed=0)) == 7
    assert stratified_sample(y, 15, seed=0).tolist() == list(range(15))
    assert stratified_sample(y, 99, seed=0).tolist() == list(range(15))
