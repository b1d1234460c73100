"""Feature level: saliency, Grad-CAM, domain-discriminative channels, SVM/PCA projection, Model Doctor map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tltui.core.hooks import capture, eval_mode
from tltui.core.levels._common import (
    EPS,
    as_targets,
    batches,
    channel_means,
    collect,
    place,
    to_numpy,
)

Target = int | Sequence[int] | np.ndarray | torch.Tensor | None


def _minmax_per_image(m: torch.Tensor) -> torch.Tensor:
    flat = m.flatten(1)
    lo = flat.min(dim=1, keepdim=True).values
    hi = flat.max(dim=1, keepdim=True).values
    return ((flat - lo) / (hi - lo).clamp_min(EPS)).reshape(m.shape)


def _pick(logits: torch.Tensor, target: torch.Tensor | None) -> torch.Tensor:
    """Σ_i logits[i, t_i], with t_i the prediction where no target is given (one backward for the batch)."""
    t = logits.argmax(dim=1) if target is None else target.to(logits.device)
    return logits.gather(1, t.view(-1, 1)).sum()


def input_saliency(
    model: nn.Module, x: torch.Tensor, target: Target = None, device: str | None = None, batch_size: int = 64
) -> np.ndarray:
    """|∂logit_target/∂x| max over channels, divided by its per-image max: (n, H, W) in [0, 1].

    `target` is one class, one per image, or None (each image's predicted class).
    """
    dev = place(model, device)
    tgt = as_targets(target, x.shape[0])
    out = []
    with eval_mode(model), torch.enable_grad():
        for i, xb in enumerate(batches(x, batch_size)):
            xb = xb.to(dev).detach().requires_grad_(True)
            tb = None if tgt is None else tgt[i * batch_size : i * batch_size + xb.shape[0]]
            (g,) = torch.autograd.grad(_pick(model(xb), tb), xb)
            sal = g.abs().amax(dim=1) if g.dim() == 4 else g.abs()
            peak = sal.flatten(1).amax(dim=1).clamp_min(EPS)
            out.append(to_numpy(sal / peak.view(-1, *([1] * (sal.dim() - 1)))))
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0,), np.float32)


def grad_cam(
    model: nn.Module,
    x: torch.Tensor,
    layer: str,
    target: Target = None,
    device: str | None = None,
    batch_size: int = 64,
) -> np.ndarray:
    """Grad-CAM at `layer`: ReLU(Σ_c α_c A_c), α_c the spatial mean of ∂logit_target/∂A_c.

    Upsampled bilinearly to the input size and min–max normalised per image: (n, H, W) in [0, 1].
    """
    dev = place(model, device)
    tgt = as_targets(target, x.shape[0])
    out = []
    with eval_mode(model), torch.enable_grad(), capture(model, [layer], detach=False) as store:
        for i, xb in enumerate(batches(x, batch_size)):
            # the input needs grad so that a frozen model still builds a graph through `layer`
            xb = xb.to(dev).detach().requires_grad_(True)
            tb = None if tgt is None else tgt[i * batch_size : i * batch_size + xb.shape[0]]
            logits = model(xb)
            acts = store[layer]
            if acts.dim() != 4:
                raise ValueError(
                    f"Grad-CAM needs a spatial (n, C, H, W) layer; '{layer}' gives {tuple(acts.shape)}"
                )
            (g,) = torch.autograd.grad(_pick(logits, tb), acts)
            alpha = g.mean(dim=(2, 3), keepdim=True)
            cam = F.relu((alpha * acts).sum(dim=1, keepdim=True)).detach()
            cam = F.interpolate(cam, size=tuple(xb.shape[-2:]), mode="bilinear", align_corners=False)
            out.append(to_numpy(_minmax_per_image(cam[:, 0])))
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0,), np.float32)


def channel_grads(
    logits: torch.Tensor, acts: torch.Tensor, targets: torch.Tensor, create_graph: bool = False
) -> torch.Tensor:
    """Per image and channel, Σ_space ReLU(∂logit_target/∂acts): (n, C) torch tensor (differentiable with
    `create_graph`, for treatments). `acts` must be captured undetached from the pass that gave `logits`."""
    picked = logits.gather(1, targets.to(logits.device).view(-1, 1)).sum()
    (g,) = torch.autograd.grad(picked, acts, create_graph=create_graph, retain_graph=True)
    g = F.relu(g)
    return g.flatten(2).sum(dim=2) if g.dim() > 2 else g.reshape(g.shape[0], -1)


def channel_grad_scores(
    model: nn.Module,
    x: torch.Tensor,
    y: Any,
    layer: str,
    device: str | None = None,
    batch_size: int = 64,
) -> np.ndarray:
    """Per image and channel of `layer`, Σ_space ReLU(∂logit_y/∂feature map): (n, C) float32."""
    dev = place(model, device)
    tgt = as_targets(y, x.shape[0])
    assert tgt is not None
    out = []
    with eval_mode(model), torch.enable_grad(), capture(model, [layer], detach=False) as store:
        for i, xb in enumerate(batches(x, batch_size)):
            xb = xb.to(dev).detach().requires_grad_(True)
            logits = model(xb)
            tb = tgt[i * batch_size : i * batch_size + xb.shape[0]]
            out.append(to_numpy(channel_grads(logits, store[layer], tb)))
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 0), np.float32)


def model_doctor_map(
    model: nn.Module,
    x: torch.Tensor,
    y: Any,
    layer: str,
    n_per_class: int = 50,
    theta: float = 0.2,
    device: str | None = None,
    batch_size: int = 64,
    n_classes: int | None = None,
) -> dict[str, np.ndarray]:
    """Model Doctor diagnosis at `layer` (usually the last conv).

    Per class: the up-to-`n_per_class` most confident correctly classified images (softmax of the true
    class); per channel, the sum over space and those images of ReLU(∂logit_y/∂feature map); min–max
    normalised per class. Returns `scores` (K, C) in [0, 1], `mask` (K, C) = scores > theta, `counts` (K,)
    images used per class (a class without correct images has a zero row), and `raw` (K, C) the unnormalised
    sums.
    """
    labels = np.asarray(y, dtype=np.int64).reshape(-1)
    dev = place(model, device)
    probs = []
    with eval_mode(model), torch.no_grad():
        for xb in batches(x, batch_size):
            probs.append(to_numpy(torch.softmax(model(xb.to(dev)).float(), dim=1)))
    p = np.concatenate(probs)
    k = n_classes if n_classes is not None else p.shape[1]
    pred = p.argmax(axis=1)
    conf = p[np.arange(len(labels)), labels]
    chosen: list[np.ndarray] = []
    counts = np.zeros(k, dtype=np.int64)
    for c in range(k):
        idx = np.flatnonzero((labels == c) & (pred == c))
        idx = idx[np.argsort(-conf[idx], kind="stable")][:n_per_class]
        counts[c] = idx.size
        chosen.append(idx)
    sel = np.concatenate(chosen) if chosen else np.zeros(0, np.int64)
    raw: np.ndarray | None = None
    if sel.size:
        g = channel_grad_scores(model, x[torch.as_tensor(sel)], labels[sel], layer, None, batch_size)
        raw = np.zeros((k, g.shape[1]), dtype=np.float64)
        np.add.at(raw, labels[sel], g.astype(np.float64))
    else:
        with capture(model, [layer]) as store, eval_mode(model), torch.no_grad():
            model(x[:1].to(dev))
            raw = np.zeros((k, channel_means(store[layer]).shape[1]))
    lo, hi = raw.min(axis=1, keepdims=True), raw.max(axis=1, keepdims=True)
    scores = np.where(hi > lo, (raw - lo) / np.maximum(hi - lo, EPS), 0.0)
    return {"scores": scores, "mask": scores > theta, "counts": counts, "raw": raw}


def channel_activations(
    model: nn.Module, x: torch.Tensor, layer: str, device: str | None = None, batch_size: int = 256
) -> np.ndarray:
    """Per image and channel, the spatial mean of `layer`'s output: (n, C) float32."""
    parts = [
        to_numpy(channel_means(s[layer]).float()) for s in collect(model, x, [layer], device, batch_size)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)


def _shared_hist(a: np.ndarray, b: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo = float(min(a.min(initial=np.inf), b.min(initial=np.inf)))
    hi = float(max(a.max(initial=-np.inf), b.max(initial=-np.inf)))
    if not np.isfinite(lo):
        lo, hi = 0.0, 1.0
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, bins + 1)
    return edges, np.histogram(a, edges)[0], np.histogram(b, edges)[0]


def discriminative_channels(
    acts_source: np.ndarray,
    acts_target: np.ndarray,
    C: float = 1.0,
    bins: int = 20,
    method: str = "logreg",
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Channels ranked by how well they separate source from target data.

    Inputs are per-image per-channel mean activations (n_s, C) and (n_t, C). A linear classifier (`method`
    "logreg" or "svm", regularisation C) is fit on z-scored channels (so coefficients compare across
    channels) with source = 0, target = 1. Returns `order` (C,) channel indices by decreasing |coef|, `coef`
    (C,) signed, per channel in channel order (positive: higher on target), `accuracy` (training accuracy,
    0-d), and mirrored histograms with shared per-channel bin `edges` (C, bins+1), `hist_source` and
    `hist_target` (C, bins).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    s = np.asarray(acts_source, dtype=np.float64)
    t = np.asarray(acts_target, dtype=np.float64)
    if s.ndim != 2 or t.ndim != 2 or s.shape[1] != t.shape[1] or not len(s) or not len(t):
        raise ValueError(f"need non-empty (n, C) activations with equal C: {s.shape} vs {t.shape}")
    x = np.concatenate([s, t])
    d = np.r_[np.zeros(len(s)), np.ones(len(t))]
    z = (x - x.mean(axis=0)) / np.maximum(x.std(axis=0), EPS)
    if method == "logreg":
        clf: Any = LogisticRegression(C=C, max_iter=2000, random_state=seed)
    elif method == "svm":
        clf = LinearSVC(C=C, max_iter=20000, random_state=seed)
    else:
        raise ValueError(f"unknown classifier '{method}'; use 'logreg' or 'svm'")
    clf.fit(z, d)
    coef = np.asarray(clf.coef_, dtype=np.float64).reshape(-1)
    n_ch = s.shape[1]
    edges = np.zeros((n_ch, bins + 1))
    hs = np.zeros((n_ch, bins), dtype=np.int64)
    ht = np.zeros((n_ch, bins), dtype=np.int64)
    for c in range(n_ch):
        edges[c], hs[c], ht[c] = _shared_hist(s[:, c], t[:, c], bins)
    return {
        "order": np.argsort(-np.abs(coef), kind="stable").astype(np.int64),
        "coef": coef,
        "accuracy": np.asarray(float(clf.score(z, d))),
        "edges": edges,
        "hist_source": hs,
        "hist_target": ht,
    }


def svm_pca_projection(
    acts: np.ndarray, labels_domain: Any, channels: Sequence[int], C: float = 100.0, seed: int = 0
) -> dict[str, np.ndarray]:
    """Project instances on chosen channels: x = linear-SVM direction, y = first PCA axis orthogonalised.

    `acts` (n, C) per-channel activations, `labels_domain` (n,) 0/1 (e.g. source/target). Data are centred and
    scaled by one global factor (geometry kept). Returns `xy` (n, 2) and the unit axes `x_axis`, `y_axis` (k,)
    in the space of the chosen channels.
    """
    from sklearn.decomposition import PCA
    from sklearn.svm import LinearSVC

    ch = np.asarray(channels, dtype=np.int64).reshape(-1)
    a = np.asarray(acts, dtype=np.float64)[:, ch]
    dom = np.asarray(labels_domain).reshape(-1)
    if len(np.unique(dom)) != 2:
        raise ValueError("svm_pca_projection needs instances of exactly two domains")
    a = a - a.mean(axis=0)
    a = a / max(float(a.std()), EPS)
    w = LinearSVC(C=C, max_iter=20000, random_state=seed).fit(a, dom).coef_.reshape(-1)
    w = w / max(float(np.linalg.norm(w)), EPS)
    if ch.size == 1:
        return {"xy": np.c_[a @ w, np.zeros(len(a))], "x_axis": w, "y_axis": np.zeros(1)}
    p = PCA(n_components=1, random_state=seed).fit(a).components_[0]
    q, _ = np.linalg.qr(np.c_[w, p])
    x_axis = q[:, 0] * np.sign(q[:, 0] @ w or 1.0)
    y_axis = q[:, 1] * np.sign(q[:, 1] @ p or 1.0)
    return {"xy": np.c_[a @ x_axis, a @ y_axis], "x_axis": x_axis, "y_axis": y_axis}
