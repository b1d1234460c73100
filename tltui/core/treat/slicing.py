"""NNSlicer-style backward-contribution slice, and regression training that updates only the slice."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator

import torch
from torch import nn

from tltui.base.catalogue.treatment import TreatParams
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.data import normalize
from tltui.core.hooks import eval_mode
from tltui.core.treat._common import Tap, _Stop, index_batches

Masks = dict[str, torch.Tensor]
"""Weight name (e.g. `conv3.weight`) → bool tensor of the weight's shape: True = in the slice (trainable)."""


def _channels(t: torch.Tensor) -> torch.Tensor:
    """Per-image channel values: spatial sums of (n, C, ...) maps, or the (n, F) vector itself."""
    return t.flatten(2).sum(dim=2) if t.dim() > 2 else t.reshape(t.shape[0], -1)


@torch.no_grad()
def layer_profiles(
    model: nn.Module, x: torch.Tensor, an: Analysis, tap: Tap, batch_size: int = 256
) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """For each Conv2d/Linear that runs before `tap`, in forward order: (name, input channels, output channels),
    each (n, C) on the CPU."""
    weighted = {n: m for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))}
    order: list[str] = []
    ins: dict[str, list[torch.Tensor]] = {n: [] for n in weighted}
    outs: dict[str, list[torch.Tensor]] = {n: [] for n in weighted}

    def make(name: str) -> Callable[[nn.Module, tuple[torch.Tensor, ...], torch.Tensor], None]:
        def hook(_m: nn.Module, args: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
            if name not in order:
                order.append(name)
            ins[name].append(_channels(args[0]).cpu())
            outs[name].append(_channels(out).cpu())

        return hook

    target = model.get_submodule(tap.module)

    def stop_pre(_m: nn.Module, _a: tuple[torch.Tensor, ...]) -> None:
        raise _Stop

    def stop_post(_m: nn.Module, _a: tuple[torch.Tensor, ...], _o: torch.Tensor) -> None:
        raise _Stop

    handles = [m.register_forward_hook(make(n)) for n, m in weighted.items()]
    # registered last, so the tap module's own profile is recorded before the pass stops (output taps)
    handles.append(
        target.register_forward_pre_hook(stop_pre) if tap.inputs else target.register_forward_hook(stop_post)
    )
    try:
        with eval_mode(model):
            for i in range(0, len(x), batch_size):
                with contextlib.suppress(_Stop):
                    model(normalize(x[i : i + batch_size].to(an.device), an.mean, an.std))
    finally:
        for h in handles:
            h.remove()
    return [(n, torch.cat(ins[n]), torch.cat(outs[n])) for n in order]


def backward_slice(
    model: nn.Module,
    profiles: list[tuple[str, torch.Tensor, torch.Tensor]],
    key: torch.Tensor,
    ratio: float,
) -> Masks:
    """The slice of the weights that serve the `key` neurons at the tap (NNSlicer's backward analysis).

    With Δ the deviation of a neuron's value from its mean over the profiled inputs, the contribution of weight
    element w[o, i, k] of a layer is  s = c_o · mean_n(Δout_n[o]·Δin_n[i]) · w[o, i, k],  where c_o is the
    contribution of output neuron o to the key neurons: for the last layer before the tap, 1 for key neurons and
    0 otherwise (a 0 row leaves the slice entirely); for earlier layers c_i = Σ_{o,k} s[o, i, k] of the layer
    after (1 for every neuron where the channel counts do not line up, e.g. across a flatten). Per neuron o, the
    ⌈ratio · fan_in⌉ elements with the lowest s are cut from the slice; the rest is the slice.
    """
    modules = dict(model.named_modules())
    masks: Masks = {}
    c_next: torch.Tensor | None = None
    for idx, (name, d_in, d_out) in enumerate(reversed(profiles)):
        layer = modules[name]
        assert isinstance(layer, (nn.Conv2d, nn.Linear))
        w = layer.weight.detach().cpu()
        n_out, fan = w.shape[0], w[0].numel()
        w3 = w.reshape(n_out, w.shape[1], -1)
        d_in = d_in - d_in.mean(dim=0)
        d_out = d_out - d_out.mean(dim=0)
        if d_out.shape[1] == n_out and d_in.shape[1] == w.shape[1]:
            cov = d_out.T @ d_in / max(len(d_in), 1)
        else:  # grouped convs and the like: no channel-wise pairing, rank by the weights alone
            cov = torch.ones(n_out, w.shape[1])
        if idx == 0:
            c_out = key.float().cpu() if key.numel() == n_out else torch.ones(n_out)
        else:
            c_out = c_next if c_next is not None and c_next.numel() == n_out else torch.ones(n_out)
        score = c_out.view(-1, 1, 1) * cov.unsqueeze(2) * w3
        c_next = score.sum(dim=(0, 2))
        n_cut = min(fan, math.ceil(ratio * fan)) if ratio > 0 else 0
        flat = score.reshape(n_out, fan)
        keep = torch.ones(n_out, fan, dtype=torch.bool)
        if n_cut:
            lowest = flat.argsort(dim=1, stable=True)[:, :n_cut]
            keep.scatter_(1, lowest, False)
        keep[c_out == 0] = False
        masks[f"{name}.weight"] = keep.reshape(w.shape)
    return masks


def train_slice(
    model: nn.Module,
    masks: Masks,
    n: int,
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    settings: TreatParams,
    *,
    epochs: int,
    lr: float,
    phase: str,
) -> Iterator[Progress]:
    """Minimise `loss_fn(batch indices)` with Adam over the slice only; every other parameter element stays
    bit-identical (gradients are masked, and masked elements are restored after each step in case an optimiser
    moves them anyway). Runs in eval mode: batch-norm statistics are not updated. `epochs` and `lr` are the
    treatment's defaults, used where `settings` leaves them unset."""
    epochs = settings.epochs if settings.epochs is not None else epochs
    lr = settings.lr if settings.lr is not None else lr
    batch_size, seed = settings.train_batch_size, settings.seed
    params = dict(model.named_parameters())
    dev = next(iter(params.values())).device
    mask_dev = {k: m.to(dev) for k, m in masks.items()}
    frozen = {k: params[k].detach().clone() for k in masks}
    was = {k: p.requires_grad for k, p in params.items()}
    for k, p in params.items():
        p.requires_grad_(k in masks)
    opt = torch.optim.Adam([params[k] for k in masks], lr=lr)
    try:
        with eval_mode(model):
            for epoch in range(epochs):
                total, count = 0.0, 0
                for idx in index_batches(n, batch_size, seed, epoch):
                    loss = loss_fn(idx)
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    for k, m in mask_dev.items():
                        g = params[k].grad
                        if g is not None:
                            g.mul_(m)
                    opt.step()
                    with torch.no_grad():
                        for k, m in mask_dev.items():
                            params[k].copy_(torch.where(m, params[k], frozen[k]))
                    total += float(loss.detach()) * len(idx)
                    count += len(idx)
                yield Progress(phase, epoch + 1, epochs, f"mse {total / max(count, 1):.5f}")
    finally:
        for k, p in params.items():
            p.requires_grad_(was[k])
