"""SeaM (Qi et al., ICSE 2023; qibinhang/SeaM, `src/defect_inherit/reengineering_finetune.py`): re-engineer the
teacher for the target task with a learnt binary weight mask, then fine-tune the masked teacher.

Step 1 trains a new head alone on the frozen teacher; step 2 learns the mask over every conv layer's weights and
biases (tltui.core.mitigate._mask); step 3 zeroes the removed weights of the teacher, gives it a fresh head and
fine-tunes every weight on the study's finetune recipe (the removed weights start at zero and may regrow, as in
the reference). docs/mitigation.md#seam lists what differs from the reference.
"""

from __future__ import annotations

import copy
from collections.abc import Generator, Iterator
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from tltui.base.catalogue.mitigation import SeamParams
from tltui.base.errors import MitigateError
from tltui.base.progress import Progress, drain
from tltui.core.analysis import Analysis
from tltui.core.batches import batches
from tltui.core.build import replace_head
from tltui.core.data import Split, normalize
from tltui.core.derived import attach_record
from tltui.core.mitigate._mask import Batches, MaskResult, apply_mask, kept_fraction, learn_mask
from tltui.core.mitigate._student import check, fit, new_student, recipe
from tltui.core.models import conv_names

BATCH = 64
"""The reference's batch size in every step."""


def split_batches(an: Analysis, split: Split, seed: int | None) -> Batches:
    """Normalised batches of `split` on the analysis device: reshuffled on every pass from a generator seeded
    with `seed`, in order when `seed` is None (the reference's shuffled training and ordered test loaders)."""
    gen = torch.Generator().manual_seed(seed) if seed is not None else None

    def one_pass() -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(split)
        order = torch.randperm(n, generator=gen) if gen is not None else torch.arange(n)
        for pixels, y in batches(split.images, split.y, order, BATCH, an.device):
            yield normalize(pixels, an.mean, an.std), y

    return one_pass


def _accuracy(model: nn.Module, val: Batches) -> float:
    model.eval()
    correct, n = 0, 0
    with torch.no_grad():
        for x, y in val():
            correct += int((model(x).argmax(dim=1) == y).sum().item())
            n += int(y.shape[0])
    return correct / max(n, 1)


def fit_head(
    model: nn.Module, head: str, train: Batches, val: Batches, *, lr: float, epochs: int, patience: int
) -> Generator[Progress, None, nn.Module]:
    """Step 1: train `head` alone (SGD, weight decay 10⁻⁴, the model in train mode as the reference's `finetune`)
    and return a copy of the model at the epoch of best validation accuracy (ties: the later), stopping after
    `patience` epochs without one."""
    for name, p in model.named_parameters():
        p.requires_grad_(name.startswith(head + "."))
    opt = torch.optim.SGD(model.get_submodule(head).parameters(), lr=lr, momentum=0.0, weight_decay=1e-4)
    best_acc, best, waited = 0.0, copy.deepcopy(model), 0
    for epoch in range(epochs):
        model.train()
        for x, y in train():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        acc = _accuracy(model, val)
        yield Progress("seam head", epoch + 1, epochs, f"val acc {acc:.3f}")
        if acc >= best_acc:
            best_acc, best, waited = acc, copy.deepcopy(model), 0
        else:
            waited += 1
            if waited == patience:
                break
    for p in best.parameters():
        p.requires_grad_(True)
    return best


def search(an: Analysis, params: SeamParams, n_classes: int) -> Generator[Progress, None, MaskResult]:
    """Steps 1 and 2 on the teacher (which stays untouched): the learnt mask over its conv layers."""
    if an.data.train is None:
        raise MitigateError("seam needs [data] train: the mask is learnt on the target data")
    if an.data.val is None:
        raise MitigateError(
            "seam picks its head and stops its mask search on the validation split: set [data] val_fraction > 0"
        )
    layers = conv_names(an.teacher)
    if not layers:
        raise MitigateError("seam masks conv weights: the teacher has no Conv2d layer")
    model = copy.deepcopy(an.teacher).cpu()
    head = replace_head(model, n_classes, params.seed)
    model.to(an.device)
    train = split_batches(an, an.data.train, params.seed)
    val = split_batches(an, an.data.val, None)
    model = yield from fit_head(
        model, head, train, val, lr=params.head_lr, epochs=params.head_epochs, patience=params.early_stop
    )
    return (
        yield from learn_mask(
            model,
            head,
            layers,
            train,
            val,
            lr=params.mask_lr,
            head_lr=params.mask_head_lr,
            alpha=params.mask_alpha,
            threshold=params.prune_threshold,
            epochs=params.mask_epochs,
            patience=params.early_stop,
        )
    )


def describe(result: MaskResult) -> str:
    """One line for the job's events: what the mask keeps and why the search stopped."""
    return (
        f"mask keeps {kept_fraction(result.mask):.1%} of the conv weights "
        f"(stopped after {result.epochs} epochs: {result.stop}; val acc {result.val_acc:.3f})"
    )


def record(result: MaskResult) -> dict[str, Any]:
    """The mask's provenance, recorded with the variant (summary.json `derived`, DerivedRecord `mask`)."""
    total = sum(int(m.numel()) for m in result.mask.values())
    return {
        "kept": kept_fraction(result.mask),
        "masked": total,
        "epochs": result.epochs,
        "stop": result.stop,
        "val_acc": result.val_acc,
    }


def run(an: Analysis, params: SeamParams) -> Generator[Progress, None, nn.Module]:
    """Learn the mask over the teacher, zero what it removes, then fine-tune every weight with a fresh head."""
    student, head, schedule = new_student(an, params)
    n_classes = student.get_submodule(head).out_features
    assert isinstance(n_classes, int)
    result = yield from search(an, params, n_classes)
    yield Progress("seam mask", 1, 1, describe(result))
    apply_mask(student, result.mask)
    model = yield from fit(an, student, head, schedule, phase="seam: fine-tune")
    return attach_record(model, mask=record(result))


def preview(an: Analysis, params: SeamParams) -> dict[str, object]:
    """Steps 1 and 2 without the fine-tuning, as `preview_of` describes them."""
    check(params)
    n_classes, _ = recipe(an, params)
    return preview_of(drain(search(an, params, n_classes)))


def preview_of(result: MaskResult) -> dict[str, object]:
    """Per conv layer `cut`, `size`, `fraction` (of all masked parameters) and `layer_fraction` (of the layer),
    the totals, and the mask's record (`kept` …): ReMoS's preview shape."""
    by_layer: dict[str, list[int]] = {}
    for name, m in result.mask.items():
        cut, size = by_layer.setdefault(name.rpartition(".")[0], [0, 0])
        by_layer[name.rpartition(".")[0]] = [cut + int((~m).sum()), size + int(m.numel())]
    total = sum(s for _, s in by_layer.values())
    cut_all = sum(c for c, _ in by_layer.values())
    rows = [
        {"name": n, "cut": c, "size": s, "fraction": c / total, "layer_fraction": c / s if s else 0.0}
        for n, (c, s) in by_layer.items()
    ]
    return {**record(result), "layers": rows, "cut": cut_all, "total": total, "fraction": cut_all / total}
