"""Fixtures for the mitigation tests: a tiny hand-sized teacher and an Analysis around it (no demo build)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from _mitigate_nets import TinyNet

from tltui.base.study import demo_study
from tltui.core.data import Split, StudyData
from tltui.core.mitigate import _profile_cache
from tltui.core.pipeline import Analysis


def _split(n: int, seed: int) -> Split:
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 5
    x = torch.rand(n, 1, 8, 8, generator=g) * 0.3
    for k in range(5):  # a bright row per class: learnable in an epoch or two
        x[y == k, :, k, :] += 0.7
    return Split(x=x.clamp(0, 1), y=y, classes=[str(c) for c in range(5, 10)], ids=[str(i) for i in range(n)])


@pytest.fixture
def tiny_an(tmp_path: Path) -> Analysis:
    """An Analysis of the demo study whose teacher and data are replaced by tiny ones."""
    _profile_cache.clear_memo()
    an = Analysis(demo_study(), tmp_path / "ws", torch.device("cpu"))
    an.data = StudyData(train=_split(40, 0), test=_split(20, 1), source_test=None)
    torch.manual_seed(123)
    an.teacher = TinyNet(num_classes=3).eval()
    return an
