"""Tiny hand-set nets and hand-filled Analyses shared by the core tests (no demo build, no cache)."""

from __future__ import annotations

import copy
from pathlib import Path

import torch
from torch import nn

from tltui.base.progress import drain
from tltui.base.study import demo_study
from tltui.core.analysis import Analysis
from tltui.core.data import Split, StudyData
from tltui.core.models import save_weights
from tltui.core.train import Schedule, train

# conv1 → conv2 channel widths the mitigation and treatment tests are tuned on (SmallCNN's default is (4, 8)).
TUNED = (4, 6)


class SmallCNN(nn.Module):
    """conv1 → relu → conv2 → relu → pool → fc on 1-channel images; the head is `fc`, initialised from `seed`."""

    def __init__(self, n_classes: int = 3, widths: tuple[int, int] = (4, 8), seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.conv1 = nn.Conv2d(1, widths[0], 3, padding=1)
        self.conv2 = nn.Conv2d(widths[0], widths[1], 3, padding=1, stride=2)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(widths[1], n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.conv2(self.relu(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class ChannelReader(nn.Module):
    """1×1 conv (4→4) → relu → mean pool → fc, where class k reads only channel READS[k] (hand-set weights)."""

    READS = (2, 0, 3)

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(4, 3, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(torch.eye(4).view(4, 4, 1, 1))
            nn.init.constant_(self.conv.bias, 0.5)  # type: ignore[arg-type]
            self.fc.weight.zero_()
            for k, j in enumerate(self.READS):
                self.fc.weight[k, j] = 1.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.relu(self.conv(x)).mean(dim=(2, 3)))


class QuadrantNet(nn.Module):
    """Channel 0 sees only the top-left quadrant, channel 1 only the bottom-right; class k reads channel k."""

    def __init__(self, size: int = 16) -> None:
        super().__init__()
        h = size // 2
        mask = torch.zeros(2, size, size)
        mask[0, :h, :h] = 1.0
        mask[1, h:, h:] = 1.0
        self.mask: torch.Tensor
        self.register_buffer("mask", mask)
        self.conv = nn.Conv2d(2, 2, 1, stride=2)
        self.fc = nn.Linear(2, 2)
        with torch.no_grad():
            self.conv.weight.copy_(torch.eye(2).view(2, 2, 1, 1))
            nn.init.zeros_(self.conv.bias)  # type: ignore[arg-type]
            self.fc.weight.copy_(torch.eye(2))
            self.fc.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = torch.relu(self.conv(x.expand(-1, 2, -1, -1) * self.mask))
        return self.fc(a.mean(dim=(2, 3)))


class OnePixel(nn.Module):
    """A linear model whose every logit depends on pixel (channel 1, row 3, column 5) only."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3 * 8 * 8, 2)
        with torch.no_grad():
            self.fc.weight.zero_()
            idx = 1 * 64 + 3 * 8 + 5
            self.fc.weight[0, idx] = 2.0
            self.fc.weight[1, idx] = -1.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.flatten(1))


class Exploding(nn.Module):
    """Runs `conv` and `fc`-like layers, then raises: to check hooks and mode survive errors."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.conv2 = nn.Conv2d(2, 2, 3, padding=1)
        self.fc = nn.Linear(2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.fc(self.conv2(self.conv(x)).mean(dim=(2, 3)))
        raise RuntimeError("boom")


def hook_count(model: nn.Module) -> int:
    """Number of forward (pre-)hooks and backward hooks registered anywhere in `model`."""
    return sum(
        len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks) for m in model.modules()
    )


def blob_split(n: int, seed: int) -> Split:
    """1×8×8 images of 3 classes told apart by where a bright blob sits (left, middle, right)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    x = torch.rand(n, 1, 8, 8, generator=g) * 0.2
    for i in range(n):
        c = 1 + 3 * int(y[i])
        x[i, 0, 2:6, c : c + 2] += 0.6 + 0.2 * torch.rand(1, generator=g)
    return Split(x=x.clamp(0, 1), y=y, classes=["a", "b", "c"], ids=[f"s{seed}-{i}" for i in range(n)])


def row_split(n: int, seed: int) -> Split:
    """1×8×8 images of 5 classes, a bright row per class: learnable in an epoch or two."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 5
    x = torch.rand(n, 1, 8, 8, generator=g) * 0.3
    for k in range(5):
        x[y == k, :, k, :] += 0.7
    return Split(x=x.clamp(0, 1), y=y, classes=[str(c) for c in range(5, 10)], ids=[str(i) for i in range(n)])


def tiny_analysis(tmp: Path) -> Analysis:
    """A real Analysis filled by hand for the treatments: blob data, a teacher and two variants (SmallCNN)."""
    an = Analysis(demo_study(), tmp, torch.device("cpu"))
    an.data = StudyData(train=blob_split(48, 1), test=blob_split(24, 2), source_test=None)
    an.teacher = SmallCNN(widths=TUNED, seed=1).eval()
    an.variants = {
        "finetune": SmallCNN(widths=TUNED, seed=2).eval(),
        "scratch": SmallCNN(widths=TUNED, seed=3).eval(),
    }
    return an


def tiny_teacher_analysis(ws: Path) -> Analysis:
    """A real Analysis filled by hand for the mitigations: 5-class row data and a 3-class teacher, no variants."""
    an = Analysis(demo_study(), ws, torch.device("cpu"))
    an.data = StudyData(train=row_split(40, 0), test=row_split(20, 1), source_test=None)
    an.teacher = SmallCNN(3, widths=TUNED, seed=123).eval()
    return an


def body_checkpoint(an: Analysis, tmp: Path, epochs: int = 12) -> Path:
    """A 'training checkpoint' of the finetune variant: its body trained (head frozen) on the tiny data, saved
    as safetensors, so its penultimate features read by the variant's own head classify well (Dare targets)."""
    model = copy.deepcopy(an.variants["finetune"])
    assert an.data.train is not None
    drain(
        train(
            model,
            an.data.train,
            an.mean,
            an.std,
            Schedule(epochs=epochs, lr=3e-2, batch_size=16),
            device=an.device,
            trainable=lambda n: not n.startswith("fc."),
        )
    )
    path = tmp / "finetune-epoch3.safetensors"
    save_weights(model.eval(), path)
    return path
