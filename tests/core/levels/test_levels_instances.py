"""Instance level: projections and penultimate features; the per-instance table against the DIR metric."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.nets import SmallCNN
from tltui.base.rundir import keys
from tltui.base.rundir.tables import instance_table
from tltui.core.levels import instances
from tltui.core.metrics import defect_inheritance_rate


def test_instance_table_fooled_share_is_the_dir() -> None:
    """The instance table the UI shows (tltui.base.rundir.tables) counts what the core's DIR metric counts."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    pred = np.where(rng.random(200) < 0.8, y, (y + 1) % 3)
    tpred = np.where(rng.random(200) < 0.6, pred, (pred + 1) % 3)
    arrays = {keys.LABELS: y, keys.pred_key("ft"): pred, keys.pred_key("ft", "teacher_adv_pred"): tpred}
    ft = instance_table(arrays).columns["ft"]
    assert ft.fooled.sum() / ft.correct.sum() == pytest.approx(defect_inheritance_rate(y, pred, tpred))
    assert 0 < ft.fooled.sum() < ft.correct.sum()


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
