"""Instance level: penultimate features and 2-D projections of clean vs adversarial (the per-instance table,
numpy only, is tltui.base.rundir.tables)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tltui.core.hooks import eval_mode, logits_and_features
from tltui.core.levels._common import batches, place, to_numpy


def logits_features(
    model: nn.Module, x: torch.Tensor, head: str, device: str | None = None, batch_size: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Logits (n, k) and penultimate features (n, d; the input of the `head` layer) in one batched pass."""
    dev = place(model, device)
    logits, feats = [], []
    with eval_mode(model), torch.no_grad():
        for xb in batches(x, batch_size):
            lo, fe = logits_and_features(model, xb.to(dev), head)
            logits.append(to_numpy(lo))
            feats.append(to_numpy(fe))
    if not logits:
        return np.zeros((0, 0), np.float32), np.zeros((0, 0), np.float32)
    return np.concatenate(logits), np.concatenate(feats)


def penultimate_features(
    model: nn.Module, x: torch.Tensor, head: str, device: str | None = None, batch_size: int = 256
) -> np.ndarray:
    """Penultimate features (n, d): the flattened input of the `head` layer."""
    return logits_features(model, x, head, device, batch_size)[1]


def project(
    feats_clean: np.ndarray,
    feats_adv: np.ndarray | None = None,
    method: str = "pca",
    perplexity: float = 40.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """2-D coordinates of clean and adversarial features in one shared space, fit on their concatenation.

    `method` is "pca" (fast) or "tsne" (perplexity clipped to (n−1)/3, at least 1, for small n).
    Returns `clean` (n, 2) and `adv` (m, 2) (m = 0 without adversarial features).
    """
    xc = np.asarray(feats_clean, dtype=np.float64).reshape(np.shape(feats_clean)[0], -1)
    xa = (
        np.zeros((0, xc.shape[1]))
        if feats_adv is None
        else np.asarray(feats_adv, dtype=np.float64).reshape(np.shape(feats_adv)[0], -1)
    )
    if xa.shape[1] != xc.shape[1]:
        raise ValueError(f"clean features have {xc.shape[1]} dims, adversarial {xa.shape[1]}")
    if method not in ("pca", "tsne"):
        raise ValueError(f"unknown projection method '{method}'; use 'pca' or 'tsne'")
    both = np.concatenate([xc, xa])
    if both.shape[1] < 2:  # both methods want at least two input dimensions
        both = np.pad(both, ((0, 0), (0, 2 - both.shape[1])))
    n = both.shape[0]
    coords = np.zeros((n, 2))
    if n >= 2:
        if method == "pca":
            from sklearn.decomposition import PCA

            k = min(2, n)
            coords[:, :k] = PCA(n_components=k, random_state=seed).fit_transform(both)
        else:
            from sklearn.manifold import TSNE

            if n >= 3:
                perp = float(min(perplexity, max(1.0, (n - 1) / 3)))
                coords = TSNE(2, perplexity=perp, init="pca", random_state=seed).fit_transform(both)
    coords = coords.astype(np.float32)
    return {"clean": coords[: xc.shape[0]], "adv": coords[xc.shape[0] :]}
