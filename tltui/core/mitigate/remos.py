"""ReMoS (ICSE 2022): slice the teacher's conv weights by coverage and magnitude ordinals, then fine-tune."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import torch
from torch import nn

from tltui.base.catalogue.mitigation import RemosParams
from tltui.base.errors import MitigateError
from tltui.base.progress import Progress, drain
from tltui.core.analysis import Analysis
from tltui.core.hooks import capture, eval_mode
from tltui.core.images import Images
from tltui.core.levels.layers import neuron_coverage
from tltui.core.mitigate import _profile_cache
from tltui.core.mitigate._student import check, fit, new_student, scope_layers
from tltui.core.models import conv_names


@dataclass(frozen=True)
class Profile:
    """Per conv layer, how many images cover each input channel and each output channel."""

    cov_in: dict[str, np.ndarray]
    cov_out: dict[str, np.ndarray]
    n: int


def profile(
    model: nn.Module,
    x: torch.Tensor | Images,
    layers: Sequence[str],
    *,
    criterion: str = "neuron",
    threshold: float = 0.5,
    topk: int = 3,
    batch_size: int = 256,
) -> Profile:
    """Coverage counts of `model` on `x` (already normalised: the model's own input) at each conv's input and
    output: `neuron` = min–max scaled spatial mean > threshold (docs/mitigation.md#profile); `topk` = among the k channels with
    the largest spatial mean of that image."""
    names = list(layers)
    x = cast(torch.Tensor, x)  # Images slice like a tensor (`x[a:b]`, `x.shape`): all the coverage passes use
    if criterion == "neuron":
        cin = neuron_coverage(model, x, names, threshold, batch_size=batch_size, inputs=True)
        cout = neuron_coverage(model, x, names, threshold, batch_size=batch_size)
        return Profile(dict(cin["counts"]), dict(cout["counts"]), int(cout["n"]))
    if criterion != "topk":
        raise MitigateError(f"criterion = {criterion!r}: choose neuron or topk")
    cov_in: dict[str, np.ndarray] = {}
    cov_out: dict[str, np.ndarray] = {}
    dev = next(model.parameters()).device
    with (
        eval_mode(model),
        torch.no_grad(),
        capture(model, names, inputs=True) as ins,
        capture(model, names) as outs,
    ):
        for i in range(0, x.shape[0], batch_size):
            model(x[i : i + batch_size].to(dev))
            for store, acc in ((ins, cov_in), (outs, cov_out)):
                for n in names:
                    acc[n] = acc.get(n, 0) + _topk_counts(store[n], topk)
    return Profile(cov_in, cov_out, int(x.shape[0]))


def _topk_counts(t: torch.Tensor, k: int) -> np.ndarray:
    means = t.flatten(2).mean(dim=2).float()
    k = min(k, means.shape[1])
    top = means.topk(k, dim=1).indices
    hits = torch.zeros_like(means).scatter_(1, top, 1.0)
    return hits.sum(dim=0).cpu().numpy().astype(np.int64)


def _conv(model: nn.Module, name: str) -> nn.Conv2d:
    m = model.get_submodule(name)
    if not isinstance(m, nn.Conv2d):
        raise MitigateError(f"{name}: not a Conv2d layer")
    return m


def weight_scores(model: nn.Module, prof: Profile, layers: Sequence[str]) -> dict[str, np.ndarray]:
    """Per conv layer, the coverage score of each (out o, in j) kernel: cov_out[o] + cov_in[i], shape (O, I/groups).

    A grouped conv's kernel (o, j) reads input channel g·(I/groups) + j, g the group of output o.
    """
    out: dict[str, np.ndarray] = {}
    for n in layers:
        conv = _conv(model, n)
        o, per_group = conv.out_channels, conv.in_channels // conv.groups
        group = np.arange(o) // (o // conv.groups)
        in_idx = group[:, None] * per_group + np.arange(per_group)[None, :]
        cin, cout = np.asarray(prof.cov_in[n]), np.asarray(prof.cov_out[n])
        if cin.shape != (conv.in_channels,) or cout.shape != (o,):
            raise MitigateError(f"{n}: the profile does not match the layer (stale profile?)")
        out[n] = cout[:, None].astype(np.float64) + cin[in_idx].astype(np.float64)
    return out


def _min_rank(v: np.ndarray) -> np.ndarray:
    """Rank ascending, ties sharing the lowest rank (the count of strictly smaller values)."""
    return np.searchsorted(np.sort(v, kind="stable"), v, side="left").astype(np.int64)


def ordinal_scores(
    model: nn.Module, scores: dict[str, np.ndarray], layers: Sequence[str]
) -> dict[str, np.ndarray]:
    """Network-wide ordinal score per conv weight (weight-shaped): coverage ordinal − magnitude ordinal.

    Both rank all in-scope weights ascending; equal values share a rank (the k×k elements of one kernel share a
    coverage score, so their coverage ordinal is the same).
    """
    shapes, cov, mag = [], [], []
    for n in layers:
        w = _conv(model, n).weight.detach()
        k = int(np.prod(w.shape[2:]))
        shapes.append(tuple(w.shape))
        cov.append(np.repeat(scores[n].reshape(-1), k))
        mag.append(w.abs().flatten().double().cpu().numpy())
    if not shapes:
        return {}
    ordinal = _min_rank(np.concatenate(cov)) - _min_rank(np.concatenate(mag))
    out, at = {}, 0
    for n, shape in zip(layers, shapes, strict=True):
        size = int(np.prod(shape))
        out[n] = ordinal[at : at + size].reshape(shape)
        at += size
    return out


def n_cut(ratio: float, total: int) -> int:
    """How many weights a ratio cuts: round(ratio × total)."""
    return round(ratio * total)


def slice_order(ordinals: dict[str, np.ndarray]) -> np.ndarray:
    """Flat indices (layer order, then element order) sorted by ordinal score, ties kept in index order."""
    if not ordinals:
        return np.zeros(0, dtype=np.int64)
    return np.argsort(np.concatenate([v.reshape(-1) for v in ordinals.values()]), kind="stable")


def slice_mask(ordinals: dict[str, np.ndarray], ratio: float) -> dict[str, np.ndarray]:
    """True for the weights to reset: the round(ratio × N) lowest ordinal scores over all layers given."""
    order = slice_order(ordinals)
    flat = np.zeros(order.shape[0], dtype=bool)
    flat[order[: n_cut(ratio, order.shape[0])]] = True
    out, at = {}, 0
    for n, v in ordinals.items():
        out[n] = flat[at : at + v.size].reshape(v.shape)
        at += v.size
    return out


def apply_mask(model: nn.Module, mask: dict[str, np.ndarray]) -> None:
    """Reset the masked conv weights of `model` to zero, in place."""
    with torch.no_grad():
        for n, m in mask.items():
            w = _conv(model, n).weight
            w[torch.from_numpy(m).to(w.device)] = 0.0


def teacher_profile(an: Analysis, params: RemosParams) -> Generator[Progress, None, Profile]:
    """The teacher's profile on the student's training set, from the workspace cache or computed and cached."""
    layers = conv_names(an.teacher)
    key = _profile_cache.key(an, params)
    cached = _profile_cache.load(an.workspace, key, layers)
    if cached is not None:
        yield Progress("profile", 1, 1, "cached")
        return Profile(*cached)
    yield Progress("profile", 0, 1, f"{len(layers)} conv layers")
    assert an.data.train is not None
    x = an.data.train.images.normalized(an.mean, an.std)  # read a batch at a time: no float copy of the split
    prof = profile(
        an.teacher, x, layers, criterion=params.criterion, threshold=params.threshold, topk=params.topk
    )
    _profile_cache.save(an.workspace, key, prof.cov_in, prof.cov_out, prof.n)
    yield Progress("profile", 1, 1, f"{prof.n} images")
    return prof


def prepare(an: Analysis, params: RemosParams) -> Generator[Progress, None, None]:
    """What every seed shares, done once before seeds run apart (docs/distributed.md): the cached profile."""
    yield from teacher_profile(an, params)


def run(an: Analysis, params: RemosParams) -> Generator[Progress, None, nn.Module]:
    """ReMoS: profile the teacher, cut the `ratio` of in-scope conv weights with the lowest ordinal score, then
    fine-tune every weight (the cut weights regrow)."""
    student, head, schedule = new_student(an, params)
    layers = scope_layers(an.teacher, params)
    prof = yield from teacher_profile(an, params)
    ordinals = ordinal_scores(an.teacher, weight_scores(an.teacher, prof, layers), layers)
    apply_mask(student, slice_mask(ordinals, params.ratio))
    return (yield from fit(an, student, head, schedule, phase="remos: fine-tune"))


def preview(an: Analysis, params: RemosParams) -> dict[str, object]:
    """What `run` would cut, without training: per in-scope conv layer `cut`, `size`, `fraction` (of all
    in-scope weights: they sum to the ratio) and `layer_fraction` (of the layer), plus the totals."""
    check(params)
    layers = scope_layers(an.teacher, params)
    sorted_layer = preview_order(an, params, layers)
    total = int(sorted_layer.shape[0])
    k = n_cut(params.ratio, total)
    cut = np.bincount(sorted_layer[:k], minlength=len(layers))
    sizes = [conv_size(an.teacher, n) for n in layers]
    rows = [
        {
            "name": n,
            "cut": int(c),
            "size": s,
            "fraction": float(c) / total if total else 0.0,
            "layer_fraction": float(c) / s if s else 0.0,
        }
        for n, c, s in zip(layers, cut, sizes, strict=True)
    ]
    return {"layers": rows, "cut": k, "total": total, "fraction": k / total if total else 0.0}


def _sorted_layer_ids(an: Analysis, params: RemosParams, layers: list[str]) -> np.ndarray:
    prof = drain(teacher_profile(an, params))
    ordinals = ordinal_scores(an.teacher, weight_scores(an.teacher, prof, layers), layers)
    layer_id = np.concatenate([np.full(v.size, i, dtype=np.int32) for i, v in enumerate(ordinals.values())])
    return layer_id[slice_order(ordinals)]


def preview_order(an: Analysis, params: RemosParams, layers: list[str]) -> np.ndarray:
    """The in-scope layer index of every conv weight, in slice order: a ratio r cuts the first n_cut(r, N)
    entries, so a numpy bincount gives any ratio's per-layer cut (the UI's live preview, without torch)."""
    return _profile_cache.memo(
        (_profile_cache.key(an, params), tuple(layers)), lambda: _sorted_layer_ids(an, params, layers)
    )


def conv_size(model: nn.Module, name: str) -> int:
    """Number of weights of the conv layer `name`."""
    return int(_conv(model, name).weight.numel())
