"""Overall level: metrics against hand values and scikit-learn, CKA invariances, the variant similarity matrix."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score, precision_score, recall_score

from tests.nets import SmallCNN
from tltui.core.levels import overall


def test_confusion_and_per_class_accuracy_by_hand() -> None:
    y = [0, 0, 0, 1, 1, 2]
    p = [0, 1, 1, 1, 0, 2]
    cm = overall.confusion(y, p, 4)
    assert cm.tolist() == [[1, 2, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    acc = overall.per_class_accuracy(y, p, 4)
    np.testing.assert_allclose(acc[:3], [1 / 3, 1 / 2, 1.0])
    assert np.isnan(acc[3])


def test_confusion_rejects_out_of_range_labels() -> None:
    with pytest.raises(ValueError):
        overall.confusion([0, 3], [0, 1], 3)


def test_most_confused_by_hand() -> None:
    y = [0] * 10 + [1] * 4
    p = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 1, 1, 1, 1]
    mc = overall.most_confused(y, p, 4, k=3)
    assert mc["classes"][0].tolist() == [1, 2, 3]
    assert mc["counts"][0].tolist() == [3, 2, 1]
    np.testing.assert_allclose(mc["rates"][0], [0.3, 0.2, 0.1])
    assert mc["classes"][1].tolist() == [-1, -1, -1]
    assert mc["counts"][1].tolist() == [0, 0, 0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_macro_recall_f1_matches_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 6
    y = rng.integers(0, n - 1, 200)  # class 5 never true: it may still be predicted
    p = np.where(rng.random(200) < 0.6, y, rng.integers(0, n, 200))
    got = overall.macro_recall_f1(y, p, n)
    assert got["macro_f1"] == pytest.approx(f1_score(y, p, average="macro", zero_division=0))
    assert got["macro_recall"] == pytest.approx(recall_score(y, p, average="macro", zero_division=0))
    assert got["macro_precision"] == pytest.approx(precision_score(y, p, average="macro", zero_division=0))
    np.testing.assert_allclose(got["f1"], f1_score(y, p, average=None, labels=range(n), zero_division=0))


def test_macro_f1_is_zero_division_safe() -> None:
    got = overall.macro_recall_f1([0, 0], [1, 1], 3)
    assert got["macro_f1"] == 0.0
    assert np.all(np.isfinite(got["f1"]))


def test_transferability_by_hand() -> None:
    got = overall.transferability_score({"scratch": 0.70, "finetune": 0.90, "probe": 0.85}, 0.60)
    assert got["best"] == "finetune"
    assert got["score"] == pytest.approx(0.30)
    assert got["best_acc"] == pytest.approx(0.90)
    assert got["source_acc"] == pytest.approx(0.60)


def _naive_cka(x: np.ndarray, y: np.ndarray) -> float:
    n = x.shape[0]
    h = np.eye(n) - 1.0 / n
    k, ll = h @ x @ x.T @ h, h @ y @ y.T @ h
    return float(np.sum(k * ll) / (np.linalg.norm(k) * np.linalg.norm(ll)))


@pytest.mark.parametrize(("n", "d1", "d2"), [(40, 10, 7), (12, 30, 50)])
def test_linear_cka_identity_invariances_and_reference(n: int, d1: int, d2: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, d1))
    y = x[:, :1] @ rng.normal(size=(1, d2)) + rng.normal(size=(n, d2))
    assert overall.linear_cka(x, x) == pytest.approx(1.0)
    base = overall.linear_cka(x, y)
    assert 0.0 < base < 1.0
    assert base == pytest.approx(_naive_cka(x, y))
    q, _ = np.linalg.qr(rng.normal(size=(d1, d1)))
    assert overall.linear_cka(x @ q, y) == pytest.approx(base)
    assert overall.linear_cka(3.7 * x, 1e-3 * y) == pytest.approx(base)
    assert overall.linear_cka(x + 5.0, y) == pytest.approx(base)  # centering


def test_linear_cka_constant_features_is_zero_not_nan() -> None:
    assert overall.linear_cka(np.ones((5, 3)), np.random.default_rng(0).normal(size=(5, 2))) == 0.0


def test_align_by_depth() -> None:
    assert overall.align_by_depth(3, 3) == [(0, 0), (1, 1), (2, 2)]
    pairs = overall.align_by_depth(2, 6)
    assert [i for i, _ in pairs] == [0, 1]
    assert pairs[0][1] < pairs[1][1]
    assert overall.align_by_depth(6, 2) == [(j, i) for i, j in pairs]


def test_cka_matrix_identical_models_is_one_and_different_is_less() -> None:
    torch.manual_seed(0)
    x = torch.randn(24, 1, 8, 8)
    a = SmallCNN(seed=0)
    twin = copy.deepcopy(a)
    other = SmallCNN(seed=5)
    layers = {n: ["conv1", "conv2", "fc"] for n in ("a", "twin", "other")}
    got = overall.cka_matrix({"a": a, "twin": twin, "other": other}, x, layers, batch_size=7)
    assert got["names"] == ["a", "twin", "other"]
    for key in ("bottom", "all"):
        m = got[key]
        assert m.shape == (3, 3)
        np.testing.assert_allclose(m, m.T)
        assert m[0, 1] == pytest.approx(1.0)
        assert m[0, 2] < 0.999
    # unequal layer counts: aligned by relative depth, still 1 on the diagonal pairs of a twin
    got2 = overall.cka_matrix({"a": a, "twin": twin}, x, {"a": ["conv1", "conv2", "fc"], "twin": ["conv2"]})
    assert got2["all"][0, 1] == pytest.approx(1.0)


def test_radar_axes() -> None:
    got = overall.radar_axes(
        {
            "ft": {"aoi": 0.9, "aai": 0.45, "macro_f1": 0.88, "macro_recall": 0.87, "dir": 0.3},
            "scratch": {
                "aoi": 0.8,
                "aai": 0.8,
                "robust": 1.0,
                "macro_f1": 0.8,
                "macro_recall": 0.8,
                "dir": None,
            },
        }
    )
    assert got["axes"] == ["AOI", "AAI", "Robust", "macro F1", "macro recall", "1-DIR"]
    np.testing.assert_allclose(got["values"][0], [0.9, 0.45, 0.5, 0.88, 0.87, 0.7])
    assert np.isnan(got["values"][1, 5])
    assert np.nanmax(got["values"]) <= 1.0


def test_transferability_is_null_when_the_source_accuracy_cannot_be_measured() -> None:
    t = overall.transferability_score({"a": 0.9, "b": 0.7}, None)
    assert t == {"score": None, "best": "a", "best_acc": 0.9, "source_acc": None}
