"""Tiny hand-built models shared by the levels tests (not collected: no test_ prefix)."""

from __future__ import annotations

import torch
from torch import nn


class SmallCNN(nn.Module):
    """conv1 → relu → conv2 → relu → pool → fc: a generic small net with a head named `fc`."""

    def __init__(self, n_classes: int = 3, width: int = 4, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.conv1 = nn.Conv2d(1, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1, stride=2)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, n_classes)

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
