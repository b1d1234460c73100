"""A `file:` factory of tiny 4-class models, one per misconfiguration the checks must catch (docs/checks.md).

Images are 1×8×8, class k has its quadrant k bright (TL, TR, BL, BR); the clean model reads the quadrant means of
the input normalised with mean 0.5, std 0.5, times 10, plus a per-class bias that only a wrong scale exposes."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

BIAS = (4.0, -4.0, 2.0, -2.0)


class Quad(nn.Module):
    def __init__(self, num_classes: int = 4, order: tuple[int, ...] = (0, 1, 2, 3)) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(4, num_classes)
        with torch.no_grad():
            self.conv.weight.fill_(1.0)
            self.conv.bias.zero_()  # type: ignore[union-attr]
            self.fc.weight.copy_(10 * torch.eye(4)[list(order)])
            self.fc.bias.copy_(torch.tensor(BIAS)[list(order)])

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.pool(self.conv(x)), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


class Dropout(Quad):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(F.dropout(self.features(x), 0.5, training=True))


class BatchNormTrain(Quad):
    """A BatchNorm that `eval()` leaves in training mode (it normalises each batch by its own statistics)."""

    def __init__(self, num_classes: int = 4) -> None:
        super().__init__(num_classes)
        self.bn = nn.BatchNorm2d(1)

    def train(self, mode: bool = True) -> BatchNormTrain:
        super().train(mode)
        self.bn.train(True)
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(self.bn(x)))


class Softmax(Quad):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x).softmax(dim=1)


class StopGradient(Quad):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.detach())


def clean(num_classes: int = 4) -> nn.Module:
    return Quad(num_classes)


def dropout(num_classes: int = 4) -> nn.Module:
    return Dropout(num_classes)


def batchnorm_train(num_classes: int = 4) -> nn.Module:
    return BatchNormTrain(num_classes)


def softmax(num_classes: int = 4) -> nn.Module:
    return Softmax(num_classes)


def stop_gradient(num_classes: int = 4) -> nn.Module:
    return StopGradient(num_classes)


def permuted(num_classes: int = 4) -> nn.Module:
    return Quad(num_classes, order=(1, 2, 3, 0))


def images(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """`n` images, classes in turn: background 0.2 (± noise), the class's quadrant 0.8."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 4
    x = 0.15 + 0.1 * torch.rand(n, 1, 8, 8, generator=g)
    for k, (r, c) in enumerate(((0, 0), (0, 4), (4, 0), (4, 4))):
        x[y == k, :, r : r + 4, c : c + 4] += 0.6
    return x.clamp(0, 1), y
