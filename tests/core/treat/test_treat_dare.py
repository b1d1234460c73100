"""Dare: only slice weights move (bit-identical elsewhere), the head stays attached unchanged, slices by hand."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import torch
from torch import nn

from tests.nets import body_checkpoint, tiny_analysis
from tltui.base.catalogue.treatment import TreatParams
from tltui.base.progress import drain
from tltui.core.treat import dare
from tltui.core.treat._common import resolve_tap
from tltui.core.treat.slicing import backward_slice, layer_profiles


def test_dare_moves_only_the_slice_and_keeps_the_head(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    params = TreatParams(epochs=3, lr=1e-2, checkpoints=(body_checkpoint(an, tmp_path),))
    original = copy.deepcopy(an.variants["finetune"])
    assert an.data.train is not None
    tap = resolve_tap(original, None)
    key = dare.key_neurons(an, original, tap, an.data.train)
    masks = backward_slice(
        original, layer_profiles(original, an.data.train.x, an, tap), key.any(0), params.slice_ratio
    )
    treated = drain(dare.run(an, params))
    before, after = original.state_dict(), treated.state_dict()
    assert set(masks) == {"conv1.weight", "conv2.weight"}
    moved = 0
    for name, b in before.items():
        if name in masks:
            frozen = ~masks[name]
            assert bool(frozen.any())
            assert torch.equal(after[name][frozen], b[frozen]), f"{name}: a weight outside the slice moved"
            moved += int((after[name][masks[name]] != b[masks[name]]).sum())
        else:
            assert torch.equal(after[name], b), f"{name} is outside the slice but changed"
    assert moved > 0
    assert torch.equal(treated.fc.weight, original.fc.weight) and torch.equal(
        treated.fc.bias, original.fc.bias
    )


def test_slice_cuts_ceil_ratio_of_each_neurons_fan_in(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    model = an.variants["finetune"]
    assert an.data.train is not None
    tap = resolve_tap(model, None)
    key = torch.tensor([True, False, True, True, False, True])
    masks = backward_slice(model, layer_profiles(model, an.data.train.x, an, tap), key, 0.05)
    m2 = masks["conv2.weight"].reshape(6, -1)
    assert torch.equal(m2[~key], torch.zeros_like(m2[~key]))  # non-key neurons leave the slice
    assert (m2[key].sum(1) == 36 - math.ceil(0.05 * 36)).all()
    assert (masks["conv1.weight"].reshape(4, -1).sum(1) == 9 - 1).all()


def test_slice_cuts_the_least_contributing_weight() -> None:
    """One linear neuron over four i.i.d. inputs: contribution of w_i is w_i · cov(Δout, Δin_i) = w_i² var, so
    the smallest |w_i| is cut."""

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = nn.Linear(4, 1, bias=False)
            self.fc = nn.Linear(1, 2)
            with torch.no_grad():
                self.hidden.weight.copy_(torch.tensor([[2.0, -1.0, 0.5, 3.0]]))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.fc(self.hidden(x.flatten(1)))

    an = tiny_analysis(Path("."))
    net = Net()
    x = torch.rand(4000, 1, 2, 2, generator=torch.Generator().manual_seed(0))
    masks = backward_slice(
        net, layer_profiles(net, x, an, resolve_tap(net, None)), torch.tensor([True]), 0.25
    )
    assert masks["hidden.weight"].tolist() == [[True, True, False, True]]
