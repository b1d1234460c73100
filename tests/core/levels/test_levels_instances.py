"""Instance level: the per-instance table, projections and penultimate features."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _levels_nets import SmallCNN

from tltui.core.levels import instances


def _onehot(pred: list[int], k: int = 3, scale: float = 4.0) -> np.ndarray:
    return np.eye(k)[pred] * scale


def test_instance_table_columns_fooled_and_updated() -> None:
    y = np.array([0, 1, 2, 1])
    clean = {"ft": _onehot([0, 1, 0, 1]), "remos": _onehot([0, 1, 2, 1])}
    adv = {"ft": _onehot([2, 1, 0, 0]), "remos": _onehot([0, 1, 2, 0])}
    t = instances.instance_table(y, clean, adv, updated={"remos": "ft"})
    assert t["id"].tolist() == [0, 1, 2, 3]
    assert t["label"].tolist() == [0, 1, 2, 1]
    assert t["ft.pred"].tolist() == [0, 1, 0, 1]
    assert t["ft.adv_pred"].tolist() == [2, 1, 0, 0]
    # fooled: clean right and changed by the teacher-crafted input
    assert t["ft.fooled"].tolist() == [True, False, False, True]
    assert t["ft.fooled"].sum() / t["ft.correct"].sum() == pytest.approx(2 / 3)
    assert t["ft.updated.remos"].tolist() == [0, 1, 2, 0]
    assert t["ft.fixed.remos"].tolist() == [True, False, False, False]
    e4 = np.exp(4.0)
    assert t["ft.conf"][0] == pytest.approx(e4 / (e4 + 2))
    assert all(len(v) == 4 for v in t.values())


def test_instance_table_checks_lengths() -> None:
    with pytest.raises(ValueError):
        instances.instance_table([0, 1], {"ft": _onehot([0, 1, 2])})


def test_project_pca_shared_space() -> None:
    rng = np.random.default_rng(0)
    clean = rng.normal(size=(30, 6))
    got = instances.project(clean, clean.copy())
    assert got["clean"].shape == (30, 2) and got["adv"].shape == (30, 2)
    np.testing.assert_allclose(got["clean"], got["adv"], atol=1e-5)  # same point, same place
    alone = instances.project(clean)
    assert alone["adv"].shape == (0, 2)


def test_project_tsne_small_n_and_one_dim() -> None:
    rng = np.random.default_rng(0)
    got = instances.project(rng.normal(size=(5, 4)), rng.normal(size=(4, 4)), method="tsne", perplexity=40)
    assert got["clean"].shape == (5, 2) and got["adv"].shape == (4, 2)
    assert np.all(np.isfinite(got["clean"]))
    one = instances.project(rng.normal(size=(6, 1)), method="pca")
    assert one["clean"].shape == (6, 2)
    with pytest.raises(ValueError):
        instances.project(rng.normal(size=(6, 2)), method="umap")


def test_penultimate_features_match_manual_and_restore_mode() -> None:
    torch.manual_seed(0)
    model = SmallCNN().train()
    x = torch.randn(10, 1, 8, 8)
    logits, feats = instances.logits_features(model, x, "fc", batch_size=3)
    assert model.training
    with torch.no_grad():
        model.eval()
        h = model.relu(model.conv2(model.relu(model.conv1(x))))
        want = torch.flatten(model.pool(h), 1).numpy()
        want_logits = model(x).numpy()
    np.testing.assert_allclose(feats, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(logits, want_logits, rtol=1e-5, atol=1e-6)
    assert instances.penultimate_features(model, x, "fc").shape == (10, 8)
