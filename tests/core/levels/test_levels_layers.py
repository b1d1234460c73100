"""Layer level: weight change, coverage by hand, adversarial deviation, neuron distance, layer window."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from tests.nets import SmallCNN
from tltui.core.levels import layers


def test_identical_teacher_and_variant() -> None:
    torch.manual_seed(0)
    teacher = SmallCNN()
    student = copy.deepcopy(teacher)
    wc = layers.weight_change(teacher, student)
    assert wc["names"] == ["conv1", "conv2", "fc"]
    np.testing.assert_allclose(wc["rel_change"], 0.0)
    np.testing.assert_allclose(wc["cosine"], 1.0)
    x = torch.randn(9, 1, 8, 8)
    x_adv = x + 0.1 * torch.randn_like(x)
    dt = layers.adversarial_deviation(teacher, x, x_adv, batch_size=4)
    ds = layers.adversarial_deviation(student, x, x_adv, batch_size=4)
    np.testing.assert_allclose(dt["deviation"], ds["deviation"])
    assert np.all(dt["deviation"] > 0)
    np.testing.assert_allclose(layers.adversarial_deviation(teacher, x, x.clone())["deviation"], 0.0)


def test_weight_change_by_hand_and_replaced_head() -> None:
    teacher = SmallCNN(n_classes=3)
    student = SmallCNN(n_classes=5)  # different head shape, same backbone init
    with torch.no_grad():
        student.conv1.weight.copy_(2 * teacher.conv1.weight)
        student.conv2.weight.copy_(-teacher.conv2.weight)
    wc = layers.weight_change(teacher, student)
    assert wc["rel_change"][0] == pytest.approx(1.0)
    assert wc["cosine"][0] == pytest.approx(1.0)
    assert wc["rel_change"][1] == pytest.approx(2.0)
    assert wc["cosine"][1] == pytest.approx(-1.0)
    assert wc["comparable"].tolist() == [True, True, False]
    assert np.isnan(wc["rel_change"][2])


def _coverage_net() -> nn.Module:
    conv = nn.Conv2d(1, 3, 1, bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([1.0, -1.0, 0.5]).view(3, 1, 1, 1))
    return nn.Sequential(conv)


def test_neuron_coverage_equals_hand_computation() -> None:
    x = torch.stack(
        [
            torch.tensor([[1.0, 2.0], [3.0, 4.0]]),
            torch.full((2, 2), -1.0),
            torch.zeros(2, 2),
        ]
    ).unsqueeze(1)
    # image 1: channels [1..4], [-1..-4], [.5..2]; scaled by (v+4)/8 -> means 26/32, 6/32, 21/32
    # image 2: channels -1, 1, -0.5; scaled by (v+1)/2 -> 0, 1, 0.25
    # image 3: constant tensor -> all 0
    got = layers.neuron_coverage(_coverage_net(), x, ["0"], threshold=0.5, batch_size=2)
    assert got["counts"]["0"].tolist() == [1, 1, 1]
    assert got["coverage"][0] == pytest.approx(1.0)
    assert got["mean_coverage"][0] == pytest.approx((2 / 3 + 1 / 3 + 0) / 3)
    assert got["n"] == 3
    high = layers.neuron_coverage(_coverage_net(), x, ["0"], threshold=0.7)
    assert high["counts"]["0"].tolist() == [1, 1, 0]
    assert high["coverage"][0] == pytest.approx(2 / 3)


def test_adversarial_deviation_by_hand() -> None:
    lin = nn.Linear(4, 4, bias=False)
    with torch.no_grad():
        lin.weight.copy_(torch.eye(4))
    net = nn.Sequential(lin)
    x = torch.randn(6, 4)
    got = layers.adversarial_deviation(net, x, 1.1 * x, ["0"])
    assert got["deviation"][0] == pytest.approx(0.1, rel=1e-6)


def test_neuron_distance_matrix_finds_permuted_channels() -> None:
    torch.manual_seed(0)
    teacher = SmallCNN()
    student = copy.deepcopy(teacher)
    perm = torch.tensor([2, 0, 3, 1])
    with torch.no_grad():
        student.conv1.weight.copy_(teacher.conv1.weight[perm])
        assert student.conv1.bias is not None and teacher.conv1.bias is not None
        student.conv1.bias.copy_(teacher.conv1.bias[perm])
    x = torch.randn(30, 1, 8, 8)
    d = layers.neuron_distance_matrix(teacher, student, x, "conv1")
    assert d.shape == (4, 4)
    for j in range(4):
        assert d[perm[j], j] == pytest.approx(0.0, abs=1e-6)
        assert d[:, j].argmin() == perm[j]
    # Every layer from one pass per model gives the same matrices as one layer at a time.
    both = layers.neuron_distance_matrices(teacher, student, x, ["conv1", "conv2", "nope"])
    assert set(both) == {"conv1", "conv2"}
    assert np.allclose(both["conv1"], d)
    assert np.allclose(both["conv2"], layers.neuron_distance_matrix(teacher, student, x, "conv2"))
    assert d.min() >= 0.0 and d.max() <= 2.0


class _Chain(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(1, 4, 1, bias=False)
        self.b = nn.Conv2d(4, 3, 3, bias=False)
        with torch.no_grad():
            self.a.weight.copy_(torch.tensor([1.0, 2.0, 3.0, 0.5]).view(4, 1, 1, 1))
            w = torch.zeros(3, 4, 3, 3)
            w[0, :, 1, 1] = torch.tensor([1.0, 0.0, 0.0, 0.0])  # output 0: 1
            w[1, :, 0, 0] = torch.tensor([0.0, 0.0, 2.0, 0.0])  # output 1: 6
            w[2, :, 2, 2] = torch.tensor([0.0, 1.0, -1.0, 0.0])  # output 2: -1
            w[1, 1, 2, 1] = -0.5  # output 1: 6 - 1 = 5
            self.b.weight.copy_(w)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(self.a(x))


def test_layer_window_returns_known_top_channels_and_links() -> None:
    got = layers.layer_window(_Chain(), torch.ones(1, 3, 3), ["a", "b"], k=2)
    assert got["top"][0].tolist() == [2, 1]
    np.testing.assert_allclose(got["act"][0], [3.0, 2.0])
    assert got["top"][1].tolist() == [1, 0]
    np.testing.assert_allclose(got["act"][1], [5.0, 1.0])
    # |W[o, i]| summed over the kernel, rows o in top[1] = [1, 0], columns i in top[0] = [2, 1]
    np.testing.assert_allclose(got["links"][0], [[2.0, 0.5], [0.0, 0.0]])
    assert got["edges"][0] == (0, 2, 1, 2.0)
    with pytest.raises(ValueError):
        layers.layer_window(_Chain(), torch.ones(1, 3, 3), ["a"])


def test_weight_histograms_shared_edges() -> None:
    a = SmallCNN(seed=0)
    b = copy.deepcopy(a)
    c = SmallCNN(seed=3)
    got = layers.weight_histograms({"ft": a, "same": b, "other": c}, bins=10)
    assert got["counts"].shape == (3, 3, 10) and got["edges"].shape == (3, 11)
    np.testing.assert_array_equal(got["counts"][0], got["counts"][1])
    n_weights = [m.weight.numel() for m in (a.conv1, a.conv2, a.fc)]
    assert got["counts"][2].sum(axis=1).tolist() == n_weights
    assert got["all_counts"].sum(axis=1).tolist() == [sum(n_weights)] * 3
    lo = min(float(m.weight.detach().min()) for m in (a.conv1, c.conv1))
    assert got["edges"][0, 0] == pytest.approx(lo)
