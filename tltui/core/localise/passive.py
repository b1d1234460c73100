"""The Layers view's passive scores for the intervened units, from the same models and inputs (docs/levels.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.core.levels import layers as L
from tltui.core.levels._common import EPS, channel_means, collect, to_numpy
from tltui.core.levels.features import discriminative_channels
from tltui.core.levels.overall import _pooled, linear_cka


def block_weight_change(teacher: nn.Module, student: nn.Module, unit: str) -> float | None:
    """‖Ws − Wt‖ / ‖Wt‖ over the weights of every conv and linear layer in `unit` (the layer itself or a block's);
    None when a layer is missing from the teacher or differs in shape."""
    mine, theirs = dict(student.named_modules()), dict(teacher.named_modules())
    names = [f"{unit}.{n}" if n else unit for n in L.layer_names(mine[unit])]
    num = den = 0.0
    for n in names:
        ws, wt = getattr(mine.get(n), "weight", None), getattr(theirs.get(n), "weight", None)
        if not isinstance(ws, torch.Tensor) or not isinstance(wt, torch.Tensor) or ws.shape != wt.shape:
            return None
        num += float((ws.detach().double().cpu() - wt.detach().double().cpu()).norm() ** 2)
        den += float(wt.detach().double().cpu().norm() ** 2)
    return float(np.sqrt(num) / max(np.sqrt(den), EPS)) if names else None


def _means(
    model: nn.Module, x: torch.Tensor, units: Sequence[str], device: str, bs: int
) -> dict[str, np.ndarray]:
    parts: dict[str, list[np.ndarray]] = {u: [] for u in units}
    for store in collect(model, x, list(units), device, bs):
        for u in units:
            parts[u].append(to_numpy(channel_means(store[u]).float()))
    return {u: np.concatenate(p) for u, p in parts.items()}


def passive_scores(
    teacher: nn.Module,
    student: nn.Module,
    units: Sequence[str],
    *,
    x: torch.Tensor,
    x_adv: torch.Tensor,
    x_cover: torch.Tensor,
    x_source: torch.Tensor | None,
    device: str,
    batch_size: int = 256,
) -> dict[str, dict[str, float | None]]:
    """Per unit: weight change, the student's adversarial deviation (teacher-crafted vs clean, `x`/`x_adv`), the
    teacher's neuron coverage on `x_cover`, the matched-neuron distance (the mean over channels of 1 − Pearson
    correlation between a teacher channel and the same student channel), linear CKA of the two models' unit
    outputs, and the student's domain-discriminative accuracy (source `x_source` vs target `x`; None without
    source data). Units the teacher lacks, or of another width, get None for the two-model scores."""
    t_mods = dict(teacher.named_modules())
    shared = [u for u in units if u in t_mods]
    dev = L.adversarial_deviation(student, x, x_adv, list(units), device=device, batch_size=batch_size)
    cov = L.neuron_coverage(teacher, x_cover, shared, threshold=0.5, device=device, batch_size=batch_size)
    cm_t, cm_s = _means(teacher, x, shared, device, batch_size), _means(student, x, units, device, batch_size)
    flat_t = _flat(teacher, x, shared, device, batch_size)
    flat_s = _flat(student, x, shared, device, batch_size)
    src = _means(student, x_source, units, device, batch_size) if x_source is not None else None
    out: dict[str, dict[str, float | None]] = {}
    for i, u in enumerate(units):
        row: dict[str, float | None] = {
            "weight_change": block_weight_change(teacher, student, u) if u in t_mods else None,
            "adv_deviation": _finite(dev["deviation"][i]),
            "coverage": _finite(cov["coverage"][shared.index(u)]) if u in shared else None,
            "neuron_distance": None,
            "cka": None,
            "discriminative": None,
        }
        if u in shared and cm_t[u].shape == cm_s[u].shape:
            row["neuron_distance"] = _finite(np.mean(np.diag(L._distance(cm_t[u], cm_s[u]))))
        if u in shared:
            row["cka"] = _finite(linear_cka(flat_t[u], flat_s[u]))
        if src is not None and cm_s[u].shape[1] > 1:
            row["discriminative"] = _finite(discriminative_channels(src[u], cm_s[u])["accuracy"])
        out[u] = row
    return out


def _flat(model: nn.Module, x: torch.Tensor, units: Sequence[str], device: str, bs: int) -> dict[str, Any]:
    """Each unit's output average-pooled to at most 4×4 positions and flattened, as the Overall view's CKA
    (docs/levels.md#cka): bounded memory for a block of a large model."""
    parts: dict[str, list[np.ndarray]] = {u: [] for u in units}
    for store in collect(model, x, list(units), device, bs):
        for u in units:
            parts[u].append(to_numpy(_pooled(store[u], 4).float()))
    return {u: np.concatenate(p) for u, p in parts.items()}


def _finite(v: Any) -> float | None:
    f = float(v)
    return f if np.isfinite(f) else None
