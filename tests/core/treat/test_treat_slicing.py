"""NNSlicer's per-class slice against a literal, neuron-by-neuron transcription of the reference's loops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from tests.nets import tiny_analysis
from tltui.core.treat._common import resolve_tap
from tltui.core.treat.slicing import Chain, class_slice, fold, profile


class Mlp(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.h1, self.h2, self.fc = nn.Linear(6, 8), nn.Linear(8, 7), nn.Linear(7, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.relu(self.h2(torch.relu(self.h1(x.flatten(1))))))


def find_min(values: list[float], num: int) -> list[int]:
    """nnslicer.py's find_min: the index of the minimum, `num` times, each found one set aside."""
    rest, out = list(values), []
    for _ in range(num):
        i = rest.index(min(rest))
        out.append(i)
        rest[i] = float("inf")
    return out


def literal(
    chain: Chain, weights: list[np.ndarray], rows: list[int], label: int, per: float
) -> tuple[list[list[list[int]]], list[float]]:
    """The reference's backward analysis image by image (real contributions at the output layer, +1/−1 votes
    below), the votes of all the class's images summed before each output neuron's cut."""
    names = chain.names
    mean_in = {n: chain.ins[n].mean(0).numpy() for n in names}
    mean_out = {n: chain.outs[n].mean(0).numpy() for n in names}
    d_in = {n: chain.ins[n].numpy() - mean_in[n] for n in names}
    d_out = {n: chain.outs[n].numpy() - mean_out[n] for n in names}
    top, w_top = names[-1], weights[-1]
    n_in = w_top.shape[1]
    head = [0.0] * n_in
    per_image = {}
    for r in rows:
        loc = [
            d_out[top][r][label] * d_out[top][r][label] * w_top[label][j] * d_in[top][r][j]
            for j in range(n_in)
        ]
        per_image[r] = loc
        head = [head[j] + loc[j] for j in range(n_in)]
    cut_top = find_min(head, int(per * n_in))
    contrib = {r: [0.0 if j in cut_top else per_image[r][j] for j in range(n_in)] for r in rows}
    key = [sum(contrib[r][j] for r in rows) for j in range(n_in)]
    cuts: list[list[list[int]]] = []
    for li in range(len(names) - 2, -1, -1):
        name, w = names[li], weights[li]
        n_out, n_in = w.shape
        votes = [[0.0] * n_in for _ in range(n_out)]
        nxt = {}
        for r in rows:
            local = [0.0] * n_in
            for i in range(n_out):
                for j in range(n_in):
                    c = contrib[r][i] * d_out[name][r][i] * w[i][j] * d_in[name][r][j]
                    s = 1.0 if c > 0 else -1.0 if c < 0 else 0.0
                    local[j] += s
                    votes[i][j] += s
            nxt[r] = local
        contrib = nxt
        cuts.insert(0, [find_min(votes[i], int(per * n_in)) for i in range(n_out)])
    return cuts, key


def test_class_slice_is_the_references_backward_analysis(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    net = Mlp()
    x = torch.rand(30, 1, 1, 6, generator=torch.Generator().manual_seed(1))
    tap = resolve_tap(net, None)
    chain = profile(net, x, an, tap)
    assert chain.names == ["h1", "h2", "fc"] and chain.below == 2
    assert chain.trainable == ["h1.weight", "h1.bias", "h2.weight", "h2.bias"]
    weights = [m.weight.detach().numpy() for m in (net.h1, net.h2, net.fc)]
    rows = [0, 3, 4, 9, 17, 22]
    for label in range(3):
        masks, key = class_slice(net, chain, torch.tensor(rows), label, 0.3)
        cuts, key_ref = literal(chain, weights, rows, label, 0.3)
        assert np.allclose(key.numpy(), key_ref, atol=1e-4)
        for name, cut in zip(("h1.weight", "h2.weight"), cuts, strict=True):
            expect = torch.ones_like(masks[name])
            for i, ind in enumerate(cut):
                expect[i, ind] = False
            assert torch.equal(masks[name], expect), f"class {label}, {name}"


def test_fold_maps_a_flatten_back_to_channels() -> None:
    v = torch.arange(12.0).view(1, 12)
    assert fold(v, 12) is v
    assert fold(v, 3).tolist() == [[0 + 1 + 2 + 3, 4 + 5 + 6 + 7, 8 + 9 + 10 + 11]]
    assert fold(v, 5).tolist() == [[1.0] * 5]
