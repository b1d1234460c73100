"""FMT (TOSEM 2024): counterfactual pairs vote for flip-sensitive neurons; only weights between them are tuned."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Generator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tltui.base.catalogue.treatment import FmtParams
from tltui.base.errors import StudyError
from tltui.base.progress import Progress
from tltui.core.advcache import AdvWriter
from tltui.core.analysis import Analysis
from tltui.core.data import load_counterfactuals, normalize
from tltui.core.fairness import demo_groups, study_groups
from tltui.core.images import Images
from tltui.core.treat._common import (
    RegressionModel,
    Tap,
    clone_variant,
    read_probs,
    resolve_tap,
    tap_outputs,
    train_split,
)
from tltui.core.treat.masked import Part, changed_fraction, train_masked
from tltui.core.treat.slicing import Chain, Masks, walk

EPOCHS = 50
LR = 1e-3
MAX_MORPH_STEPS = 3


def morph(x: torch.Tensor, dilate: bool) -> torch.Tensor:
    """Grayscale dilation (thicker strokes) or erosion (thinner) with a 3×3 cross: max/min of each pixel and
    its four neighbours."""
    pad = F.pad(x, (1, 1, 1, 1), mode="replicate")
    h, w = x.shape[-2:]
    shifts = torch.stack(
        [pad[..., 1 : h + 1, 1 : w + 1], pad[..., :h, 1 : w + 1], pad[..., 2:, 1 : w + 1],
         pad[..., 1 : h + 1, :w], pad[..., 1 : h + 1, 2:]]
    )  # fmt: skip
    return shifts.amax(dim=0) if dilate else shifts.amin(dim=0)


def flip_ink(x: torch.Tensor, g: np.ndarray, threshold: float) -> tuple[torch.Tensor, np.ndarray]:
    """Counterparts that differ in stroke weight: heavy images (g = 1) are eroded, light ones dilated, one step
    at a time (up to 3) until the ink mass crosses `threshold`. Returns them and which ones changed group."""
    heavy = torch.as_tensor(g == 1)
    out = x.clone()
    for _ in range(MAX_MORPH_STEPS):
        now = torch.as_tensor(demo_groups(out.numpy(), threshold) == g)
        if not bool(now.any()):
            break
        step = torch.where(heavy.view(-1, 1, 1, 1), morph(out, dilate=False), morph(out, dilate=True))
        out = torch.where(now.view(-1, 1, 1, 1), step, out)
    return out, demo_groups(out.numpy(), threshold) != g


def top(score: torch.Tensor, k: int) -> torch.Tensor:
    """Indices of the k largest entries of the last dimension (ties: the lower index first)."""
    return score.sort(dim=-1, descending=True, stable=True).indices[..., :k]


class _Paired:
    """Pairs read a batch at a time as `[originals, counterparts]`: rows 2i… of the interleaved view hold pairs
    i… (a slice of 2·b rows is b whole pairs, originals first)."""

    def __init__(self, x: Images, x_cf: Images) -> None:
        self.x, self.x_cf = x, x_cf

    def __len__(self) -> int:
        return 2 * len(self.x)

    def __getitem__(self, s: slice) -> torch.Tensor:
        lo, hi = s.start // 2, s.stop // 2
        return torch.cat([self.x[lo:hi], self.x_cf[lo:hi]])


def layer_votes(
    model: nn.Module,
    x: torch.Tensor | Images,
    x_cf: torch.Tensor | Images,
    an: Analysis,
    tap: Tap,
    vote_ratio: float,
) -> tuple[Chain, dict[str, torch.Tensor]]:
    """Per conv/linear layer before the tap, how often each output neuron is among the int(vote_ratio · C)
    neurons most changed by the flip (mean |Δ| over a channel's positions), over all pairs."""
    votes: dict[str, torch.Tensor] = {}

    def record(name: str, _inp: torch.Tensor, out: torch.Tensor) -> None:
        a, b = out.float().chunk(2)
        d = (a - b).abs()
        d = d.flatten(2).mean(dim=2) if d.dim() > 2 else d.reshape(len(d), -1)
        k = int(d.shape[1] * vote_ratio)
        v = votes.setdefault(name, torch.zeros(d.shape[1]))
        if k:
            v += torch.zeros_like(d).scatter_(1, top(d, k), 1.0).sum(dim=0).cpu()

    batch = 128  # each batch holds whole pairs: originals first, counterparts second
    chain = walk(model, _Paired(Images.of(x), Images.of(x_cf)), an, tap, record, batch_size=2 * batch)
    return chain, {n: votes[n] for n in chain.names[: chain.below]}


def important_masks(model: nn.Module, chain: Chain, votes: dict[str, torch.Tensor], ratio: float) -> Masks:
    """Per layer the round(ratio · C) neurons with the most votes; trainable weights: from every input into the
    first layer's important neurons, then from each layer's important neurons into the next one's."""
    modules = dict(model.named_modules())
    masks: Masks = {}
    prev: torch.Tensor | None = None
    for name in chain.names[: chain.below]:
        w = modules[name].weight
        important = top(votes[name], round(votes[name].numel() * ratio))
        rows = torch.zeros(w.shape[0], dtype=torch.bool)
        rows[important] = True
        cols = torch.ones(w.shape[1], dtype=torch.bool)
        if (
            prev is not None and w.shape[1] % prev.numel() == 0
        ):  # the same neurons, or blocks across a flatten
            cols = prev.repeat_interleave(w.shape[1] // prev.numel())
        m = rows.view(-1, 1) & cols.view(1, -1)
        masks[f"{name}.weight"] = m.view(*m.shape, *([1] * (w.dim() - 2))).expand(w.shape).clone()
        prev = rows
    return masks


def flipped_ink(
    x: Images, g: np.ndarray, threshold: float, batch_size: int = 256
) -> tuple[Images, np.ndarray]:
    """`flip_ink` a batch at a time (each image's flip is its own), the counterparts written to an unlinked
    temporary float32 file and read back a batch at a time."""
    writer = AdvWriter(Path(tempfile.gettempdir()), "fmt-flips", tuple(x.shape))
    changed = []
    try:
        for i in range(0, len(x), batch_size):
            out, ch = flip_ink(x[i : i + batch_size], g[i : i + batch_size], threshold)
            writer.write(out)
            changed.append(ch)
        return writer.finish(None), np.concatenate(changed) if changed else np.zeros(0, dtype=bool)
    except BaseException:
        writer.discard()
        raise


def counterfactual_pairs(an: Analysis) -> Generator[Progress, None, tuple[Images, Images]]:
    """Training images and their attribute flips, as views read a batch at a time: the study's declared
    counterfactual images ([data] counterfactuals), else the demo's stroke-weight flip (only the images whose
    group it really changes)."""
    split = train_split(an, "fmt")
    declared = an.study.data.counterfactuals
    if declared is not None:
        x_cf, have = load_counterfactuals(declared, an.study.data, split)
        yield Progress(
            "fmt pairs", 1, 1, f"declared flips: {int(have.sum())} of {len(split)} training images"
        )
        return split.images[have], x_cf[have]
    groups = study_groups(an)
    if groups.kind != "ink":
        raise StudyError(
            "FMT is not applicable: the study declares no attribute flip; give [data] counterfactuals (each "
            "training image with the attribute flipped) to pair images with their counterfactuals"
        )
    x_cf, flipped = flipped_ink(split.images, groups.train, groups.threshold)
    keep = torch.as_tensor(flipped)
    yield Progress(
        "fmt pairs", 1, 1,
        f"stroke-weight flip: {int(keep.sum())} of {len(split)} training images change group"
        + ("" if bool(keep.all()) else "; the others are left out"),
    )  # fmt: skip
    if not bool(keep.any()):
        raise StudyError(
            "FMT is not applicable: the stroke-weight flip changes the group of no training image"
        )
    return split.images[flipped], x_cf[flipped]


def _inputs(x: Images, x_cf: Images, pick_cf: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """The training inputs at given indices, read from the pairs a batch at a time: `pick_cf` says per input
    whether it is a counterpart, and of which pair (`rows`)."""
    n = len(x)

    def read(idx: torch.Tensor) -> torch.Tensor:
        idx = idx.cpu()
        cf = pick_cf[idx]
        rows = idx % n
        out = torch.empty((len(idx), *x.shape[1:]))
        out[~cf] = x[rows[~cf]].full()
        out[cf] = x_cf[rows[cf]].full()
        return out

    return read


def run(an: Analysis, params: FmtParams) -> Generator[Progress, None, nn.Module]:
    """FMT on a copy of the variant: regress the layers up to the tap so that each pair maps to the output of
    its more confident member (max softmax of the original), through the important-neuron weights only."""
    model = clone_variant(an, params.variant)
    tap = resolve_tap(model, params.layer)
    x, x_cf = yield from counterfactual_pairs(an)
    chain, votes = layer_votes(model, x, x_cf, an, tap, params.vote_ratio)
    masks = important_masks(model, chain, votes, params.important_ratio)
    n_imp = ", ".join(
        f"{n} {round(v.numel() * params.important_ratio)}/{v.numel()}" for n, v in votes.items()
    )
    yield Progress("fmt important neurons", 1, 1, f"important neurons per layer: {n_imp}")
    acts, acts_cf = tap_outputs(model, x, an, tap), tap_outputs(model, x_cf, an, tap)
    cf_wins = torch.as_tensor(read_probs(model, x_cf, an).max(axis=1) >= read_probs(model, x, an).max(axis=1))
    target = torch.where(cf_wins.view(-1, *([1] * (acts.dim() - 1))), acts_cf, acts)
    if params.pairs == "dual":  # inputs: the originals, then their counterparts
        pick_cf, targets = torch.arange(2 * len(x)) >= len(x), torch.cat([target, target])
    else:  # only the less confident member, towards the more confident one
        pick_cf, targets = ~cf_wins, target
    read = _inputs(x, x_cf, pick_cf)
    n_mask = sum(int(m.sum()) for m in masks.values())
    n_all = sum(m.numel() for m in masks.values())
    yield Progress("fmt weights", 1, 1, f"{len(pick_cf)} training inputs ({params.pairs}); {n_mask} of {n_all} "
                   f"weights ({n_mask / max(n_all, 1):.2%}) connect important neurons")  # fmt: skip
    reg = RegressionModel(model, tap)
    t_dev = targets.to(an.device)

    def parts(idx: torch.Tensor) -> list[Part]:
        xb = read(idx).to(an.device)
        idx = idx.to(an.device)
        return [(F.mse_loss(reg(normalize(xb, an.mean, an.std)), t_dev[idx]), masks)]

    before = {k: v.detach().clone() for k, v in model.named_parameters() if k in masks}
    free = [k for k in chain.trainable if k not in masks]
    yield from train_masked(
        model,
        masks,
        free,
        len(pick_cf),
        parts,
        params,
        epochs=EPOCHS,
        lr=LR,
        phase="treat fmt",
        watcher=an.timeline,
    )
    changed, total = changed_fraction(before, model, list(masks))
    yield Progress("treat fmt", 1, 1, f"changed {changed} of {total} weights ({changed / max(total, 1):.2%}); "
                   "biases free")  # fmt: skip
    return model.eval()
