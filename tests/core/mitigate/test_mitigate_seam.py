"""SeaM: the mask search against a literal transcription of the reference's loop (qibinhang/SeaM,
src/defect_inherit/reengineer.py with models/nn_layers.py's masked conv), its threshold and kept fraction, and the
method's three steps on a tiny teacher."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.nets import TUNED, SmallCNN, row_split
from tltui.base import rundir
from tltui.base.catalogue.mitigation import SeamParams
from tltui.base.errors import MitigateError
from tltui.base.progress import collect, drain
from tltui.base.rundir import keys
from tltui.core.analysis import Analysis
from tltui.core.derived import taken_record
from tltui.core.mitigate import seam
from tltui.core.mitigate._mask import (
    Binarize,
    MaskResult,
    apply_mask,
    kept_fraction,
    kept_ratio,
    learn_mask,
    masked_forward,
    new_scores,
)
from tltui.core.mitigate.preview import write_seam_preview


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Tensors of a few hundred elements: a second intra-op thread only spins (8 s of CPU instead of 0.3 s for
    the early-stop case on a loaded 2-core machine)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# ---- the reference, transcribed (nn_layers.py, resnet.py's mask helpers, reengineer.py's Reengineer.alter) ----


class RefBinarization(torch.autograd.Function):
    @staticmethod
    def forward(ctx, mask):  # type: ignore[no-untyped-def, override]
        return (mask > 0).float()

    @staticmethod
    def backward(ctx, grad_output):  # type: ignore[no-untyped-def, override]
        return F.hardtanh(grad_output)


class RefMaskConv(nn.Conv2d):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.weight_mask = nn.Parameter(torch.ones(self.weight.size()))
        self.bias_mask = nn.Parameter(torch.ones(self.bias.size()))  # type: ignore[union-attr]
        self.weight.requires_grad = False
        self.bias.requires_grad = False  # type: ignore[union-attr]

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        weight = self.weight * RefBinarization.apply(self.weight_mask)
        bias = self.bias * RefBinarization.apply(self.bias_mask)
        return F.conv2d(inputs, weight, bias, self.stride, self.padding, self.dilation, self.groups)


class RefNet(nn.Module):
    """tests.nets.SmallCNN with the reference's masked convs and its `get_masks` / `count_weight_ratio`."""

    def __init__(self, teacher: SmallCNN, n_classes: int) -> None:
        super().__init__()
        self.conv1 = RefMaskConv(1, TUNED[0], 3, padding=1)
        self.conv2 = RefMaskConv(TUNED[0], TUNED[1], 3, padding=1, stride=2)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(TUNED[1], n_classes)
        with torch.no_grad():
            for name in ("conv1", "conv2"):
                getattr(self, name).weight.copy_(getattr(teacher, name).weight)
                getattr(self, name).bias.copy_(getattr(teacher, name).bias)
            self.fc.weight.copy_(teacher.fc.weight)
            self.fc.bias.copy_(teacher.fc.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.conv2(self.relu(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))

    def get_masks(self):  # type: ignore[no-untyped-def]
        return {k: v for k, v in self.state_dict().items() if "mask" in k}

    def count_weight_ratio(self):  # type: ignore[no-untyped-def]
        masks = []
        for _n, layer in self.named_modules():
            if hasattr(layer, "weight_mask"):
                masks.append(torch.flatten(layer.weight_mask))
                if layer.bias_mask is not None:
                    masks.append(torch.flatten(layer.bias_mask))
        return torch.mean(RefBinarization.apply(torch.cat(masks, dim=0)))


def fix_bn(m):  # type: ignore[no-untyped-def]
    classname = m.__class__.__name__
    if classname.find("BatchNorm") != -1:
        m.eval()


def ref_alter(
    model, train_ds, val_ds, lr_mask, lr_output_layer, n_epochs, alpha, prune_threshold, early_stop
):  # type: ignore[no-untyped-def]
    reengineered_model = copy.deepcopy(model)
    mask_params = []
    for name, p in reengineered_model.named_parameters():
        if "weight_mask" in name or "bias_mask" in name:
            p.requires_grad = True
            mask_params.append(p)
        else:
            p.requires_grad = False
    output_layer = reengineered_model.fc
    for p in output_layer.parameters():
        p.requires_grad = True
    optim = torch.optim.Adam(
        [{"params": mask_params, "lr": lr_mask}, {"params": output_layer.parameters(), "lr": lr_output_layer}]
    )
    best_masks, best_acc_with_ratio, early_stop_epochs = None, -1000, 0
    for _epoch in range(n_epochs):
        reengineered_model.train()
        reengineered_model.apply(fix_bn)
        for batch_inputs, batch_labels in train_ds:
            optim.zero_grad()
            batch_outputs = reengineered_model(batch_inputs)
            batch_pred_loss = F.cross_entropy(batch_outputs, batch_labels)
            batch_weight_ratio_loss = reengineered_model.count_weight_ratio()
            (batch_pred_loss + alpha * batch_weight_ratio_loss).backward()
            optim.step()
        reengineered_model.eval()
        n_corrects, n_samples, loss_weight_ratio = 0, 0, 0.0
        with torch.no_grad():
            for batch_inputs, batch_labels in val_ds:
                batch_outputs = reengineered_model(batch_inputs)
                batch_weight_ratio_loss = reengineered_model.count_weight_ratio()
                n_samples += batch_labels.shape[0]
                n_corrects += torch.sum(torch.argmax(batch_outputs, dim=1) == batch_labels).item()
                loss_weight_ratio += batch_weight_ratio_loss.item() * batch_inputs.shape[0]
        acc = float(n_corrects) / n_samples
        loss_weight_ratio = loss_weight_ratio / n_samples
        if 1 - loss_weight_ratio >= prune_threshold:
            best_masks = reengineered_model.get_masks()
            break
        acc_with_ratio = acc - loss_weight_ratio
        if acc_with_ratio > best_acc_with_ratio:
            best_acc_with_ratio = acc_with_ratio
            best_masks = reengineered_model.get_masks()
            early_stop_epochs = 0
        else:
            early_stop_epochs += 1
            if early_stop_epochs == early_stop:
                break
    return best_masks, reengineered_model


# ---- shared data: the same seeded shuffles for both loops ----


class Shuffled:
    """Batches of 16 of a split, reshuffled on every pass from a seeded generator (a DataLoader's shuffle)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, seed: int | None) -> None:
        self.x, self.y = (x - 0.5) / 0.5, y
        self.gen = torch.Generator().manual_seed(seed) if seed is not None else None

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.y)
        order = torch.randperm(n, generator=self.gen) if self.gen is not None else torch.arange(n)
        for i in range(0, n, 16):
            yield self.x[order[i : i + 16]], self.y[order[i : i + 16]]


def _teacher_with_head() -> SmallCNN:
    model = SmallCNN(3, widths=TUNED, seed=123)
    torch.manual_seed(5)
    model.fc = nn.Linear(TUNED[1], 5)
    return model.eval()


@pytest.mark.parametrize(
    ("threshold", "epochs", "patience", "stop"),
    [(0.2, 12, 30, "threshold"), (1.0, 20, 4, "early stop")],
)
def test_mask_search_reproduces_the_reference_loop(
    threshold: float, epochs: int, patience: int, stop: str
) -> None:
    """Every way the search ends; the early stop returns the last epoch's mask, not the best one's (as the
    reference's aliased `best_masks`)."""
    tr, va = row_split(32, 0), row_split(10, 1)
    teacher = _teacher_with_head()
    settings = dict(lr=0.1, head_lr=0.05, alpha=0.5, threshold=threshold, epochs=epochs, patience=patience)
    ours_model = copy.deepcopy(teacher)
    progress, ours = collect(
        learn_mask(
            ours_model,
            "fc",
            ["conv1", "conv2"],
            Shuffled(tr.x, tr.y, 3).__iter__,
            Shuffled(va.x, va.y, None).__iter__,
            **settings,  # type: ignore[arg-type]
        )
    )
    ref_masks, ref_model = ref_alter(
        RefNet(teacher, 5), Shuffled(tr.x, tr.y, 3), Shuffled(va.x, va.y, None), 0.1, 0.05, epochs, 0.5,
        threshold, patience,
    )  # fmt: skip
    assert ours.stop == stop
    assert ours.epochs == len(progress)
    for layer in ("conv1", "conv2"):
        for kind in ("weight", "bias"):
            assert torch.equal(ours.mask[f"{layer}.{kind}"], ref_masks[f"{layer}.{kind}_mask"] > 0), (
                layer + kind
            )
    assert ours.kept == pytest.approx(float(ref_model.count_weight_ratio().detach()), abs=1e-7)
    assert 0.03 < ours.kept < 0.97  # the search removed weights, not all of them
    assert torch.allclose(ours_model.fc.weight, ref_model.fc.weight, atol=1e-6)  # the head learnt alongside


def test_binarize_passes_a_clipped_gradient() -> None:
    s = torch.tensor([-1.0, 0.0, 0.5, 2.0], requires_grad=True)
    out = Binarize.apply(s)
    assert out.tolist() == [0.0, 0.0, 1.0, 1.0]  # 0 is removed: the mask keeps scores > 0
    (out * torch.tensor([3.0, -0.25, -4.0, 1.0])).sum().backward()
    assert s.grad is not None and s.grad.tolist() == [1.0, -0.25, -1.0, 1.0]


def test_kept_ratio_and_fraction_count_weights_and_biases() -> None:
    model = SmallCNN(3, widths=TUNED, seed=0)
    scores = new_scores(model, ["conv1", "conv2"])
    assert list(scores) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"]
    total = sum(s.numel() for s in scores.values())  # 36 + 4 + 216 + 6
    assert total == 262 and float(kept_ratio(scores).detach()) == 1.0
    with torch.no_grad():
        scores["conv2.weight"].view(-1)[:131].fill_(-0.1)
        scores["conv1.bias"][0] = 0.0
    assert float(kept_ratio(scores).detach()) == pytest.approx((262 - 132) / 262)
    mask = {n: s.detach() > 0 for n, s in scores.items()}
    assert kept_fraction(mask) == pytest.approx((262 - 132) / 262)
    x = torch.rand(2, 1, 8, 8)
    masked = copy.deepcopy(model)
    apply_mask(masked, mask)
    assert int((masked.conv2.weight == 0).sum()) == 131 and float(masked.conv1.bias[0].detach()) == 0.0
    assert torch.allclose(
        masked_forward(model, scores, x), masked(x)
    )  # the mask in the forward = zeroed weights


def test_the_search_stops_once_the_removed_fraction_reaches_the_threshold() -> None:
    tr = row_split(32, 0)
    data = Shuffled(tr.x, tr.y, 0).__iter__

    def search(threshold: float, epochs: int) -> MaskResult:
        model = _teacher_with_head()
        return drain(
            learn_mask(
                model, "fc", ["conv1", "conv2"], data, data, lr=0.2, head_lr=0.0, alpha=50.0,
                threshold=threshold, epochs=epochs, patience=100,
            )
        )  # fmt: skip

    cut = search(0.5, 30)
    assert cut.stop == "threshold" and 1 - cut.kept >= 0.5 and cut.epochs < 30
    assert kept_fraction(cut.mask) == pytest.approx(cut.kept)
    assert search(1 - cut.kept, 30).epochs == cut.epochs  # removed = threshold: stops (≥)
    above = search(1 - cut.kept + 1e-6, cut.epochs)
    assert above.stop == "epochs" and all(torch.equal(above.mask[n], m) for n, m in cut.mask.items())


@pytest.fixture
def seam_an(tiny_an: Analysis) -> Analysis:
    tiny_an.data.val = row_split(20, 2)
    return tiny_an


FAST = dict(head_epochs=3, mask_epochs=4, early_stop=5, mask_alpha=0.05, mask_lr=0.3)


def test_seam_zeroes_the_masked_teacher_weights_then_fine_tunes(seam_an: Analysis) -> None:
    params = SeamParams(epochs=0, seed=1, **FAST)  # type: ignore[arg-type]
    events, start = collect(seam.run(seam_an, params))
    record = taken_record(start)["mask"]
    assert 0.0 < record["kept"] < 1.0 and record["masked"] == 262
    assert any(e.phase == "seam mask" and "mask keeps" in e.msg for e in events)  # the job's events say it
    t = seam_an.teacher
    zeroed = kept = 0
    for name in ("conv1", "conv2"):
        for kind in ("weight", "bias"):
            w, tw = getattr(getattr(start, name), kind), getattr(getattr(t, name), kind)
            assert torch.equal(w[w != 0], tw[w != 0])  # what the mask keeps is the teacher's
            zeroed += int((w == 0).sum())
            kept += int((w != 0).sum())
    assert kept / (kept + zeroed) == pytest.approx(record["kept"])
    assert start.fc.out_features == 5
    tuned = drain(seam.run(seam_an, SeamParams(epochs=1, seed=1, **FAST)))  # type: ignore[arg-type]
    assert bool((tuned.conv2.weight[start.conv2.weight == 0] != 0).any())  # removed weights may regrow


def test_seam_preview_has_remos_shape_and_needs_a_validation_split(seam_an: Analysis, tmp_path: Path) -> None:
    params = SeamParams(seed=1, **FAST)  # type: ignore[arg-type]
    out = seam.preview(seam_an, params)
    events = list(write_seam_preview(seam_an, params, tmp_path))
    assert any("mask keeps" in e.msg for e in events)
    with np.load(tmp_path / rundir.PREVIEW_NPZ) as npz:  # what the Mitigate view draws
        assert npz[keys.PREVIEW_LAYERS].tolist() == ["conv1", "conv2"]
        assert float(npz[keys.PREVIEW_KEPT]) == pytest.approx(out["kept"])
        assert npz[keys.PREVIEW_CUT].tolist() == [r["layer_fraction"] for r in out["layers"]]  # type: ignore[attr-defined]
    rows = out["layers"]
    assert isinstance(rows, list) and [r["name"] for r in rows] == ["conv1", "conv2"]
    assert out["total"] == 262 and out["fraction"] == pytest.approx(1 - out["kept"])  # type: ignore[operator]
    assert sum(r["cut"] for r in rows) == out["cut"]
    seam_an.data.val = None
    with pytest.raises(MitigateError, match="val_fraction"):
        drain(seam.run(seam_an, SeamParams(epochs=0, **FAST)))  # type: ignore[arg-type]
