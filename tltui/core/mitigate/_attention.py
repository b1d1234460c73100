"""DELTA's channel attention (Li et al., ICLR 2019; lixingjian/DELTA): per matched channel, how much the target
loss rises when the teacher loses it, and the attention-weighted feature-map distance built on it."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from tltui.core.analysis import Analysis
from tltui.core.build import replace_head
from tltui.core.data import Split, normalize
from tltui.core.train import Schedule, train

BATCH = 64
"""The reference's batch for scoring channels (channel_eval.py's default)."""
TEMPERATURE = 5.0
"""The reference divides the standardised scores by 5 before the softmax (train.py)."""


@contextmanager
def _removed(module: nn.Module, channel: int) -> Iterator[None]:
    """Channel `channel` of `module`'s output set to 0 (the reference zeroes the filter of a bias-free conv)."""

    def hook(_m: nn.Module, _a: tuple[torch.Tensor, ...], out: torch.Tensor) -> torch.Tensor:
        out = out.clone()
        out[:, channel] = 0
        return out

    handle = module.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


@torch.no_grad()
def removal_scores(
    model: nn.Module, batches: Sequence[tuple[torch.Tensor, torch.Tensor]], names: Sequence[str]
) -> dict[str, torch.Tensor]:
    """Per stage, per output channel: CE with the channel removed − CE intact, averaged over `batches` (eval
    mode; the running mean of channel_eval.py's `feature_weight`)."""
    modules = dict(model.named_modules())
    was = model.training
    model.eval()
    scores: dict[str, torch.Tensor] = {}
    try:
        for i, (x, y) in enumerate(batches):
            base = F.cross_entropy(model(x), y)
            for name in names:
                diffs = []
                n_channels = _channels(model, modules[name], x)
                for j in range(n_channels):
                    with _removed(modules[name], j):
                        diffs.append(F.cross_entropy(model(x), y) - base)
                d = torch.stack(diffs).double().cpu()
                scores[name] = d if i == 0 else (i * scores[name] + d) / (i + 1)
    finally:
        model.train(was)
    return scores


def _channels(model: nn.Module, module: nn.Module, x: torch.Tensor) -> int:
    seen: list[int] = []
    handle = module.register_forward_hook(lambda _m, _a, out: seen.append(int(out.shape[1])))
    try:
        model(x[:1])
    finally:
        handle.remove()
    return seen[0]


def attention_weights(scores: torch.Tensor) -> torch.Tensor:
    """softmax(standardise(scores) / 5) over a stage's channels (train.py); equal scores give equal weights."""
    sd = scores.std(unbiased=False)  # numpy's np.std, as the reference
    z = (scores - scores.mean()) / sd if float(sd) > 0 else torch.zeros_like(scores)
    return torch.softmax(z / TEMPERATURE, dim=0).float()


def attention_distance(
    student: Mapping[str, torch.Tensor],
    teacher: Mapping[str, torch.Tensor],
    weights: Mapping[str, torch.Tensor],
) -> torch.Tensor:
    """Σ_stages ½ Σ_{image, channel} C · w_c · ‖Δ_c‖² / (H·W), Δ the student − teacher map (reg_att_fea_map):
    summed over the batch, as the reference."""
    total = []
    for name, t in teacher.items():
        s = student[name]
        b, c = s.shape[:2]
        hw = s[0, 0].numel()
        sq = (s - t.detach()).reshape(b, c, -1).pow(2).sum(dim=2)
        w = weights[name].to(sq.device, sq.dtype)
        total.append(0.5 * (c * w * sq / hw).sum())
    return torch.stack(total).sum()


def probe(an: Analysis, n_classes: int, seed: int, epochs: int) -> nn.Module:
    """A copy of the teacher with a new head trained alone on the target data (channel_eval.py's
    `train_classifier`: SGD 0.01, momentum 0.9, weight decay 10⁻⁴, backbone frozen, in train mode)."""
    assert an.data.train is not None
    model = copy.deepcopy(an.teacher).cpu()
    head = replace_head(model, n_classes, seed)
    schedule = Schedule(
        epochs=epochs, lr=0.01, optimizer="sgd", momentum=0.9, weight_decay=1e-4, batch_size=BATCH, seed=seed
    )
    for _ in train(
        model,
        an.data.train,
        an.mean,
        an.std,
        schedule,
        device=an.device,
        trainable=lambda n: n == head or n.startswith(head + "."),
        phase="delta probe",
    ):
        pass
    return model.eval()


def scoring_batches(an: Analysis, split: Split, seed: int, n: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The first `n` batches of a seeded shuffle of the training set, normalised, on the analysis device."""
    order = torch.randperm(len(split), generator=torch.Generator().manual_seed(seed))
    out = []
    for i in range(n):
        idx = order[i * BATCH : (i + 1) * BATCH]
        if len(idx) == 0:
            break
        xb = split.images[idx].full()  # this batch only, from the uint8 cache
        out.append((normalize(xb, an.mean, an.std).to(an.device), split.y[idx].to(an.device)))
    return out
