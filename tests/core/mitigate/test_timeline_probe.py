"""The timeline's probe measures accuracy and DIR exactly as defined, held on the device or streamed."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from tltui.core import timeline
from tltui.core.data import normalize
from tltui.core.images import Images


def _defined(model: nn.Module, clean: torch.Tensor, adv: torch.Tensor, y: np.ndarray) -> tuple[float, float]:
    """Accuracy and DIR from full predictions on both sets (docs/metrics.md)."""
    with torch.no_grad():
        p = model(normalize(clean, (0.5,), (0.25,))).argmax(1).numpy()
        pa = model(normalize(adv, (0.5,), (0.25,))).argmax(1).numpy()
    correct = p == y
    return float(correct.mean()), float((correct & (pa != p)).sum()) / int(correct.sum())


@pytest.mark.parametrize("resident", [True, False])
def test_the_probe_measures_each_split_as_defined(monkeypatch: pytest.MonkeyPatch, resident: bool) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    an = SimpleNamespace(device=torch.device("cpu"), batch_size=4, mean=(0.5,), std=(0.25,))
    splits, expected = {}, {}
    for name, n in (("val", 7), ("test", 11)):
        clean, adv = torch.rand(n, 1, 2, 2), torch.rand(n, 1, 2, 2)
        with torch.no_grad():
            pred = model(normalize(clean, an.mean, an.std)).argmax(1).numpy()
        y = np.where(np.arange(n) % 3 == 0, (pred + 1) % 3, pred)  # a third wrong
        splits[name] = (Images.of(clean), Images.of(adv), y)
        expected[name] = _defined(model, clean, adv, y)
    if not resident:
        monkeypatch.setattr(timeline, "RESIDENT_BYTES", 0)
    probe = timeline._Probe(an, splits)  # type: ignore[arg-type]
    assert (probe.resident is not None) == resident
    assert probe.measure(model) == expected
    assert 0.0 < expected["test"][1] < 1.0  # the case tests something: some flips, not all
