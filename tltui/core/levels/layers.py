"""Layer level: weight change, neuron coverage, adversarial deviation, neuron distance, layer window."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.core.hooks import capture, eval_mode
from tltui.core.levels._common import EPS, batches, channel_means, collect, place, to_numpy
from tltui.core.models import layer_names


def _weight(model: nn.Module, name: str) -> torch.Tensor | None:
    mod = dict(model.named_modules()).get(name)
    w = getattr(mod, "weight", None)
    return w.detach() if isinstance(w, torch.Tensor) else None


def weight_change(
    teacher: nn.Module, student: nn.Module, layers: Sequence[str] | None = None
) -> dict[str, Any]:
    """Per layer, relative change ‖W_s − W_t‖/‖W_t‖ and cosine of the flattened weights (bias excluded).

    `layers` defaults to every conv and linear layer of the teacher. A layer missing from the student or
    whose weight shape differs (e.g. a replaced head) gets NaN and `comparable` False. Returns `names`,
    `rel_change`, `cosine` (L,) float64 and `comparable` (L,) bool.
    """
    names = list(layers) if layers is not None else layer_names(teacher)
    rel = np.full(len(names), np.nan)
    cos = np.full(len(names), np.nan)
    ok = np.zeros(len(names), dtype=bool)
    for i, n in enumerate(names):
        wt, ws = _weight(teacher, n), _weight(student, n)
        if wt is None or ws is None or wt.shape != ws.shape:
            continue
        t = wt.flatten().double().cpu()
        s = ws.flatten().double().cpu()
        nt, ns = float(t.norm()), float(s.norm())
        rel[i] = float((s - t).norm()) / max(nt, EPS)
        cos[i] = float(t @ s) / max(nt * ns, EPS) if nt > 0 and ns > 0 else 0.0
        ok[i] = True
    return {"names": names, "rel_change": rel, "cosine": cos, "comparable": ok}


def _minmax_scaled_channel_means(t: torch.Tensor) -> torch.Tensor:
    """ReMoS profile: scale each image's whole tensor to [0, 1], then take per-channel spatial means."""
    flat = t.flatten(1).float()
    lo = flat.min(dim=1, keepdim=True).values
    hi = flat.max(dim=1, keepdim=True).values
    scaled = ((flat - lo) / (hi - lo).clamp_min(EPS)).reshape(t.shape)
    return channel_means(scaled)


def neuron_coverage(
    model: nn.Module,
    x: torch.Tensor,
    layers: Sequence[str] | None = None,
    threshold: float = 0.5,
    device: str | None = None,
    batch_size: int = 256,
    inputs: bool = False,
) -> dict[str, Any]:
    """Neuron coverage of `model` on `x` with the ReMoS profile.

    Per image and layer output (its input with `inputs=True`), the tensor is min–max scaled to [0, 1]; a
    channel is covered by that image if its spatial mean > threshold. Returns `names`, `coverage` (L,) the
    fraction of channels covered by at least one image, `mean_coverage` (L,) the mean over images of the
    fraction covered, `counts` {layer: (C,) int64 images covering each channel} and `n` images.
    """
    names = list(layers) if layers is not None else layer_names(model)
    counts: dict[str, np.ndarray] = {}
    per_image: dict[str, float] = {n: 0.0 for n in names}
    total = 0
    for store in collect(model, x, names, device, batch_size, inputs=inputs):
        for n in names:
            covered = to_numpy(_minmax_scaled_channel_means(store[n]) > threshold)
            counts[n] = counts.get(n, 0) + covered.sum(axis=0).astype(np.int64)
            per_image[n] += float(covered.mean(axis=1).sum())
        total += next(iter(store.values())).shape[0]
    cov = np.array([float((counts[n] > 0).mean()) if n in counts else np.nan for n in names])
    mean_cov = np.array([per_image[n] / total if total else np.nan for n in names])
    return {"names": names, "coverage": cov, "mean_coverage": mean_cov, "counts": counts, "n": total}


def adversarial_deviation(
    model: nn.Module,
    x: torch.Tensor,
    x_adv: torch.Tensor,
    layers: Sequence[str] | None = None,
    device: str | None = None,
    batch_size: int = 256,
) -> dict[str, Any]:
    """Per layer, the mean over images of ‖f_l(x_adv) − f_l(x)‖ / ‖f_l(x)‖ (L2 over the whole layer output).

    Returns `names` and `deviation` (L,) float64.
    """
    if x.shape != x_adv.shape:
        raise ValueError(f"x {tuple(x.shape)} and x_adv {tuple(x_adv.shape)} differ in shape")
    names = list(layers) if layers is not None else layer_names(model)
    dev = place(model, device)
    sums = np.zeros(len(names))
    total = 0
    # one hooked pass over both inputs per batch: two interleaved `collect` generators would restore the
    # model's mode and the grad state in the wrong order
    with eval_mode(model), torch.no_grad(), capture(model, names) as store:
        for xb, ab in zip(batches(x, batch_size), batches(x_adv, batch_size), strict=True):
            model(xb.to(dev))
            clean = dict(store)
            model(ab.to(dev))
            for i, n in enumerate(names):
                c, a = clean[n].flatten(1).double(), store[n].flatten(1).double()
                rel = (a - c).norm(dim=1) / c.norm(dim=1).clamp_min(EPS)
                sums[i] += float(rel.sum())
            total += xb.shape[0]
    return {"names": names, "deviation": sums / max(total, 1)}


def _distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 − Pearson correlation between the columns of `a` (n, C_t) and `b` (n, C_s); constant columns: 1."""
    a = a.astype(np.float64) - a.mean(axis=0)
    b = b.astype(np.float64) - b.mean(axis=0)
    na, nb = np.linalg.norm(a, axis=0), np.linalg.norm(b, axis=0)
    corr = (a.T @ b) / np.maximum(np.outer(na, nb), EPS)
    corr[(na < EPS)[:, None] | (nb < EPS)[None, :]] = 0.0
    return 1.0 - np.clip(corr, -1.0, 1.0)


def _channel_means(
    model: nn.Module, x: torch.Tensor, layers: Sequence[str], device: str | None, batch_size: int
) -> dict[str, np.ndarray]:
    """Per layer, the per-image spatial mean of each channel, (n, C), from one pass over `x`."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in layers}
    for store in collect(model, x, list(layers), device, batch_size):
        for name in layers:
            parts[name].append(to_numpy(channel_means(store[name]).float()))
    return {name: np.concatenate(p) for name, p in parts.items() if p}


def neuron_distance_matrix(
    teacher: nn.Module,
    student: nn.Module,
    x: torch.Tensor,
    layer: str,
    student_layer: str | None = None,
    device: str | None = None,
    batch_size: int = 256,
) -> np.ndarray:
    """Teacher-channel × student-channel distance at `layer`: 1 − Pearson correlation, over the images of `x`,
    of the per-image channel means; (C_t, C_s) in [0, 2]. A constant channel has correlation 0 (distance
    1)."""
    a = _channel_means(teacher, x, [layer], device, batch_size)[layer]
    b = _channel_means(student, x, [student_layer or layer], device, batch_size)[student_layer or layer]
    return _distance(a, b)


def neuron_distance_matrices(
    teacher: nn.Module,
    student: nn.Module,
    x: torch.Tensor,
    layers: Sequence[str],
    device: str | None = None,
    batch_size: int = 256,
) -> dict[str, np.ndarray]:
    """`neuron_distance_matrix` at every layer of `layers` that both models have, one pass per model."""
    mine = set(dict(student.named_modules()))
    shared = [name for name in layers if name in mine]
    a = _channel_means(teacher, x, shared, device, batch_size)
    b = _channel_means(student, x, shared, device, batch_size)
    return {name: _distance(a[name], b[name]) for name in shared if name in a and name in b}


def layer_window(
    model: nn.Module, x_single: torch.Tensor, layers: Sequence[str], k: int = 8, device: str | None = None
) -> dict[str, Any]:
    """For one instance, the top-k channels by mean activation in each layer and the weights linking them.

    `layers` are 2–4 consecutive conv layers (the input channels of each equal the output channels of the one
    before). Per layer: `top` (k,) channel indices by decreasing spatial-mean output, `act` (k,) those means.
    `links[l]` (k, k): |W[o, i]| summed over the kernel, o in top[l+1] (rows), i in top[l] (columns). `edges`:
    every link as (layer index l, source channel, target channel, weight), strongest first — a text Sankey.
    """
    names = list(layers)
    if not 2 <= len(names) <= 4:
        raise ValueError(f"a layer window spans 2 to 4 layers, got {len(names)}")
    x1 = x_single if x_single.dim() == 4 else x_single.unsqueeze(0)
    (store,) = list(collect(model, x1[:1], names, device, 1))
    means = [to_numpy(channel_means(store[n])[0].float()) for n in names]
    tops = [np.argsort(-m, kind="stable")[: min(k, m.size)].astype(np.int64) for m in means]
    links: list[np.ndarray] = []
    edges: list[tuple[int, int, int, float]] = []
    for li in range(len(names) - 1):
        w = _weight(model, names[li + 1])
        if w is None or w.dim() < 2 or w.shape[1] != means[li].size:
            raise ValueError(
                f"'{names[li + 1]}' does not read the {means[li].size} channels of '{names[li]}'"
            )
        strength = to_numpy(w.abs().flatten(2).sum(dim=2) if w.dim() > 2 else w.abs()).astype(np.float64)
        block = strength[np.ix_(tops[li + 1], tops[li])]
        links.append(block)
        for r, o in enumerate(tops[li + 1]):
            for c, i in enumerate(tops[li]):
                edges.append((li, int(i), int(o), float(block[r, c])))
    edges.sort(key=lambda e: -e[3])
    return {
        "layers": names,
        "top": tops,
        "act": [m[t] for m, t in zip(means, tops, strict=True)],
        "links": links,
        "edges": edges,
    }


def weight_histograms(
    models: Mapping[str, nn.Module], layers: Sequence[str] | None = None, bins: int = 40
) -> dict[str, Any]:
    """Weight histograms per model with shared bin edges: per layer and pooled over the layers.

    `layers` defaults to the conv and linear layers of the first model; a layer a model lacks counts zero.
    Returns `names` (models), `layers`, `edges` (L, bins+1) and `counts` (M, L, bins) per layer, and
    `all_edges` (bins+1,) and `all_counts` (M, bins) pooled.
    """
    names = list(models)
    lays = list(layers) if layers is not None else (layer_names(models[names[0]]) if names else [])
    ws = {m: {n: _weight(models[m], n) for n in lays} for m in names}
    flat = {
        m: {n: to_numpy(w.flatten().float()) for n, w in d.items() if w is not None} for m, d in ws.items()
    }

    def span(arrays: list[np.ndarray]) -> np.ndarray:
        arrays = [a for a in arrays if a.size]
        lo = float(min((a.min() for a in arrays), default=0.0))
        hi = float(max((a.max() for a in arrays), default=1.0))
        return np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)

    edges = np.zeros((len(lays), bins + 1))
    counts = np.zeros((len(names), len(lays), bins), dtype=np.int64)
    for li, n in enumerate(lays):
        edges[li] = span([flat[m][n] for m in names if n in flat[m]])
        for mi, m in enumerate(names):
            if n in flat[m]:
                counts[mi, li] = np.histogram(flat[m][n], edges[li])[0]
    all_edges = span([a for m in names for a in flat[m].values()])
    all_counts = np.zeros((len(names), bins), dtype=np.int64)
    for mi, m in enumerate(names):
        if flat[m]:
            all_counts[mi] = np.histogram(np.concatenate(list(flat[m].values())), all_edges)[0]
    return {
        "names": names,
        "layers": lays,
        "edges": edges,
        "counts": counts,
        "all_edges": all_edges,
        "all_counts": all_counts,
    }
