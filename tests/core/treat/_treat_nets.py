"""Tiny hand-built models and a hand-filled Analysis for the treatment tests (not collected: no test_ prefix)."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from tltui.base.study import demo_study
from tltui.core.data import Split, StudyData
from tltui.core.pipeline import Analysis


class TinyNet(nn.Module):
    """conv1 → relu → conv2 → relu → pool → fc on 1×8×8 images; the head is `fc`."""

    def __init__(self, n_classes: int = 3, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1, stride=2)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.conv2(self.relu(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


def _split(n: int, seed: int) -> Split:
    """Images whose class is where a bright blob sits (left, middle, right), so a tiny net can learn them."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    x = torch.rand(n, 1, 8, 8, generator=g) * 0.2
    for i in range(n):
        c = 1 + 3 * int(y[i])
        x[i, 0, 2:6, c : c + 2] += 0.6 + 0.2 * torch.rand(1, generator=g)
    return Split(x=x.clamp(0, 1), y=y, classes=["a", "b", "c"], ids=[f"s{seed}-{i}" for i in range(n)])


def tiny_analysis(tmp: Path) -> Analysis:
    """A real Analysis filled by hand: tiny data, a teacher and two variants of TinyNet (no loading, no cache)."""
    an = Analysis(demo_study(), tmp, torch.device("cpu"))
    an.data = StudyData(train=_split(48, 1), test=_split(24, 2), source_test=None)
    an.teacher = TinyNet(seed=1).eval()
    an.variants = {"finetune": TinyNet(seed=2).eval(), "scratch": TinyNet(seed=3).eval()}
    return an


def body_checkpoint(an: Analysis, tmp: Path, epochs: int = 12) -> Path:
    """A 'training checkpoint' of the finetune variant: its body trained (head frozen) on the tiny data, saved
    as safetensors, so its penultimate features read by the variant's own head classify well (Dare targets)."""
    import copy

    from tltui.base.progress import drain
    from tltui.core.models import save_weights
    from tltui.core.train import Schedule, train

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
