"""Tiny hand-sized models shared by the mitigation tests (not collected: no test_ prefix)."""

from __future__ import annotations

import torch
from torch import nn


class TinyNet(nn.Module):
    """conv1 → relu → conv2 → relu → pool → fc; the head is `fc`."""

    def __init__(self, num_classes: int = 3) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1, stride=2)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.conv2(self.relu(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))
