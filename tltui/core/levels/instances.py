"""Instance level: the per-instance table, penultimate features, 2-D projections of clean vs adversarial."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.core.hooks import eval_mode, logits_and_features
from tltui.core.levels._common import batches, resolve_device, to_numpy


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _pred_conf(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = _softmax(logits)
    pred = p.argmax(axis=1)
    return pred.astype(np.int64), p[np.arange(len(pred)), pred].astype(np.float32)


def instance_table(
    labels: Any,
    clean_logits: Mapping[str, np.ndarray],
    adv_logits: Mapping[str, np.ndarray] | None = None,
    updated: Mapping[str, str] | None = None,
    ids: Any = None,
) -> dict[str, np.ndarray]:
    """Columnar per-instance table (every column has one entry per test instance).

    `clean_logits[v]` / `adv_logits[v]`: variant v's logits (n, k) on the clean and the teacher-crafted
    inputs. Columns: `id`, `label`; per variant `v.pred`, `v.conf` (softmax of the prediction), `v.correct`,
    and with adversarial logits `v.adv_pred`, `v.adv_conf`, `v.fooled` — clean prediction correct and
    changed by the teacher-crafted input (the DIR numerator, so fooled.sum() / correct.sum() is v's DIR).
    `updated` maps a mitigated variant m to the variant b it mitigates: column `b.updated.m` holds m's
    prediction on the teacher-crafted input (its clean prediction when there is none) and `b.fixed.m` marks
    instances where b was fooled and m is right.
    """
    y = np.asarray(labels, dtype=np.int64).reshape(-1)
    n = y.size
    table: dict[str, np.ndarray] = {
        "id": np.arange(n, dtype=np.int64) if ids is None else np.asarray(ids).reshape(-1),
        "label": y,
    }
    if table["id"].size != n:
        raise ValueError(f"ids has {table['id'].size} entries for {n} labels")
    adv = adv_logits or {}
    for v, logits in clean_logits.items():
        if np.shape(logits)[0] != n:
            raise ValueError(f"variant {v}: {np.shape(logits)[0]} logit rows for {n} labels")
        pred, conf = _pred_conf(logits)
        table[f"{v}.pred"], table[f"{v}.conf"], table[f"{v}.correct"] = pred, conf, pred == y
        if v in adv:
            apred, aconf = _pred_conf(adv[v])
            table[f"{v}.adv_pred"], table[f"{v}.adv_conf"] = apred, aconf
            table[f"{v}.fooled"] = (pred == y) & (apred != pred)
    for m, b in (updated or {}).items():
        if m not in clean_logits or b not in clean_logits:
            raise ValueError(f"updated: both '{m}' and '{b}' need clean logits")
        upd = table.get(f"{m}.adv_pred", table[f"{m}.pred"])
        table[f"{b}.updated.{m}"] = upd
        fooled = table.get(f"{b}.fooled", np.zeros(n, dtype=bool))
        table[f"{b}.fixed.{m}"] = fooled & (upd == y)
    return table


def logits_features(
    model: nn.Module, x: torch.Tensor, head: str, device: str | None = None, batch_size: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Logits (n, k) and penultimate features (n, d; the input of the `head` layer) in one batched pass."""
    dev = resolve_device(model, device)
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
