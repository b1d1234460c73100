"""NNSlicer's per-class backward slice: sign-counted contributions on the network's chain of conv/linear layers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from tltui.core.analysis import Analysis
from tltui.core.data import normalize
from tltui.core.hooks import eval_mode
from tltui.core.images import Batched
from tltui.core.treat._common import Tap

Masks = dict[str, torch.Tensor]
"""Weight name (e.g. `conv3.weight`) → bool tensor of the weight's shape: True = in the slice (trainable)."""

OnLayer = Callable[[str, torch.Tensor, torch.Tensor], None]
"""Called with (layer name, its input, its output) for each conv/linear layer's first call in a forward pass."""

CHUNK = 64


@dataclass
class Chain:
    """The Conv2d/Linear layers in forward order, where the tap sits among them, and per-image channel values."""

    names: list[str]
    below: int
    """The first `below` layers run before the tap: they make up the regression model."""
    trainable: list[str]
    """Every parameter of the modules that run before the tap (weights, biases, norm affines)."""
    ins: dict[str, torch.Tensor] = field(default_factory=dict)
    """Layer → (n, I) per-image input channel values (spatial sums of maps, as NNSlicer's profile)."""
    outs: dict[str, torch.Tensor] = field(default_factory=dict)


def channel_sums(t: torch.Tensor) -> torch.Tensor:
    """Per-image channel values: spatial sums of (n, C, ...) maps, or the (n, F) vector itself."""
    return t.flatten(2).sum(dim=2) if t.dim() > 2 else t.reshape(t.shape[0], -1)


@torch.no_grad()
def walk(
    model: nn.Module, x: Batched, an: Analysis, tap: Tap, on_layer: OnLayer, batch_size: int = 256
) -> Chain:
    """Run `model` over pixel images `x` in batches, calling `on_layer` for every conv/linear layer, and tell
    which layers and parameters lie before the tap (the whole network runs; the tap only marks the cut)."""
    weighted = {n: m for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))}
    owners = {n: m for n, m in model.named_modules() if any(True for _ in m.parameters(recurse=False))}
    order: list[str] = []
    fired: list[str] = []
    seen: set[str] = set()
    at_tap: dict[str, int] = {}

    def on_weighted(name: str) -> Callable[[nn.Module, tuple[torch.Tensor, ...], torch.Tensor], None]:
        def hook(_m: nn.Module, args: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
            if name in seen:  # a layer called twice in one pass is profiled on its first call
                return
            seen.add(name)
            if name not in order:
                order.append(name)
            on_layer(name, args[0], out)

        return hook

    def on_owner(name: str) -> Callable[[nn.Module, tuple[torch.Tensor, ...], torch.Tensor], None]:
        def hook(_m: nn.Module, _a: tuple[torch.Tensor, ...], _o: torch.Tensor) -> None:
            if name not in fired:
                fired.append(name)

        return hook

    def mark(*_: object) -> None:
        if "layers" not in at_tap:
            at_tap["layers"], at_tap["owners"] = len(order), len(fired)

    handles = [m.register_forward_hook(on_weighted(n)) for n, m in weighted.items()]
    handles += [m.register_forward_hook(on_owner(n)) for n, m in owners.items()]
    target = model.get_submodule(tap.module)
    # registered last, so an output tap's own layer is counted as before the tap
    handles.append(
        target.register_forward_pre_hook(mark) if tap.inputs else target.register_forward_hook(mark)
    )
    try:
        with eval_mode(model):
            for i in range(0, len(x), batch_size):
                seen.clear()
                model(normalize(x[i : i + batch_size].to(an.device), an.mean, an.std))
    finally:
        for h in handles:
            h.remove()
    below_owners = fired[: at_tap.get("owners", len(fired))]
    trainable = [
        f"{o}.{p}" if o else p for o in below_owners for p, _ in owners[o].named_parameters(recurse=False)
    ]
    return Chain(order, at_tap.get("layers", len(order)), trainable)


def profile(model: nn.Module, x: Batched, an: Analysis, tap: Tap) -> Chain:
    """The chain with every layer's per-image input and output channel values over `x` (NNSlicer's profiling)."""
    ins: dict[str, list[torch.Tensor]] = {}
    outs: dict[str, list[torch.Tensor]] = {}

    def record(name: str, inp: torch.Tensor, out: torch.Tensor) -> None:
        ins.setdefault(name, []).append(channel_sums(inp).float().cpu())
        outs.setdefault(name, []).append(channel_sums(out).float().cpu())

    chain = walk(model, x, an, tap, record)
    chain.ins = {n: torch.cat(v) for n, v in ins.items()}
    chain.outs = {n: torch.cat(v) for n, v in outs.items()}
    return chain


def fold(values: torch.Tensor, n: int) -> torch.Tensor:
    """(rows, I) values of a layer's inputs as values of the n neurons that feed them: the same when I = n,
    summed over each channel's block across a channel-major flatten (I = n·k); ones where nothing lines up."""
    rows, i = values.shape
    if i == n:
        return values
    if i % n == 0:
        return values.reshape(rows, n, i // n).sum(dim=2)
    return torch.ones(rows, n)


def _weight2d(layer: nn.Module) -> torch.Tensor:
    assert isinstance(layer, (nn.Conv2d, nn.Linear))
    w = layer.weight.detach().float().cpu()
    return w.reshape(w.shape[0], w.shape[1], -1).sum(dim=2)


def class_slice(
    model: nn.Module, chain: Chain, rows: torch.Tensor, label: int, cut: float
) -> tuple[Masks, torch.Tensor]:
    """The slice of class `label` from its images' deviations (`rows` indexes the profiled images), and the
    summed contribution of the neurons the layer after the tap reads (key neurons: the positive ones). Per layer, from the class's output neuron down:
    s_n[o, i] = contrib_n[o] · Δout_n[o] · Σ_k w[o, i, k] · Δin_n[i]; real-valued at the output layer (whose
    lowest-scoring inputs pass no contribution on), signs below; contrib_n[i] = Σ_o s_n[o, i]; votes[o, i] =
    Σ_n s_n[o, i]; per output neuron the int(cut · I) inputs with the lowest votes are cut (ties: first)."""
    modules = dict(model.named_modules())
    masks: Masks = {}
    contrib: torch.Tensor | None = None
    n_logits = chain.outs[chain.names[-1]].shape[1]
    key = torch.nn.functional.one_hot(torch.tensor(label), n_logits).float()  # a tap at the network's output
    for step, li in enumerate(reversed(range(len(chain.names)))):
        name = chain.names[li]
        layer = modules[name]
        w2 = _weight2d(layer)
        d_in = chain.ins[name][rows] - chain.ins[name].mean(dim=0)
        d_out = chain.outs[name][rows] - chain.outs[name].mean(dim=0)
        n_out, n_in = d_out.shape[1], d_in.shape[1]
        if contrib is None:
            contrib = torch.zeros_like(d_out)
            if label < n_out:
                contrib[:, label] = d_out[:, label]
        keep = torch.ones(n_out, n_in, dtype=torch.bool)
        if w2.shape != (n_out, n_in):  # grouped convs and the like: no per-channel pairing of the weights
            nxt = torch.ones(len(d_in), n_in)
        else:
            votes, nxt = torch.zeros(n_out, n_in), torch.zeros(len(d_in), n_in)
            for c in range(0, len(d_in), CHUNK):
                s = (
                    (contrib[c : c + CHUNK] * d_out[c : c + CHUNK]).unsqueeze(2)
                    * w2
                    * d_in[c : c + CHUNK].unsqueeze(1)
                )
                if step > 0:
                    s = s.sign()
                votes += s.sum(dim=0)
                nxt[c : c + CHUNK] = s.sum(dim=1)
            n_cut = int(cut * n_in)
            if n_cut:
                keep.scatter_(1, votes.argsort(dim=1, stable=True)[:, :n_cut], False)
                if step == 0 and label < n_out:
                    nxt[:, ~keep[label]] = 0.0
        if li < chain.below:
            w = layer.get_parameter("weight")
            masks[f"{name}.weight"] = (
                keep.reshape(n_out, n_in, *([1] * (w.dim() - 2))).expand(w.shape).clone()
            )
        if li == chain.below:
            key = nxt.sum(dim=0)
        if li > 0:
            prev = chain.outs[chain.names[li - 1]].shape[1]
            contrib = fold(nxt, prev)
    return masks, key


def class_slices(
    model: nn.Module, chain: Chain, y: torch.Tensor, n_classes: int, cut: float
) -> tuple[list[Masks], list[torch.Tensor]]:
    """Per class, its slice of the regression model's weights and the summed contributions of the neurons the
    layer after the tap reads (the deviations are from the mean over all profiled images, as NNSlicer's)."""
    slices, keys = [], []
    for k in range(n_classes):
        rows = torch.nonzero(y == k).flatten()
        if len(rows) == 0:
            rows = torch.arange(len(y))
        m, key = class_slice(model, chain, rows, k, cut)
        slices.append(m)
        keys.append(key)
    return slices, keys


def keep_fractions(slices: list[Masks]) -> dict[str, float]:
    """Per layer, the mean over classes of the share of its weights in the class's slice."""
    names = list(reversed(slices[0])) if slices else []  # built from the output down
    return {
        n.removesuffix(".weight"): sum(float(s[n].float().mean()) for s in slices) / len(slices)
        for n in names
    }


def union(slices: list[Masks]) -> Masks:
    """Every weight in some class's slice."""
    out: Masks = {}
    for s in slices:
        for n, m in s.items():
            out[n] = out[n] | m if n in out else m.clone()
    return out
