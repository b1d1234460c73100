"""Each baseline's defining property: finetune, retrain, magprune, delta (both forms) and renofeation."""

from __future__ import annotations

import copy

import pytest
import torch

from tests.nets import TUNED, SmallCNN
from tltui.base.catalogue.mitigation import (
    DeltaParams,
    FeatureParams,
    MitigateParams,
    PruneParams,
    RenofeationParams,
)
from tltui.base.progress import drain
from tltui.core.analysis import Analysis
from tltui.core.mitigate import delta, finetune, magprune, renofeation, retrain
from tltui.core.mitigate._features import distillation, feature_mse, spatial_dropout

BODY = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias")


def test_finetune_starts_from_the_teacher_with_a_new_head(tiny_an: Analysis) -> None:
    start = drain(finetune.run(tiny_an, MitigateParams(epochs=0)))
    t = tiny_an.teacher.state_dict()
    assert all(torch.equal(start.state_dict()[k], t[k]) for k in BODY)
    assert start.fc.out_features == 5
    tuned = drain(finetune.run(tiny_an, MitigateParams(epochs=1)))
    assert not torch.equal(tuned.conv1.weight, tiny_an.teacher.conv1.weight)


def test_retrain_starts_from_a_seeded_fresh_init(tiny_an: Analysis) -> None:
    start = drain(retrain.run(tiny_an, MitigateParams(epochs=0, seed=7)))
    fresh = SmallCNN(5, widths=TUNED, seed=7)
    for k, v in fresh.state_dict().items():
        assert torch.equal(start.state_dict()[k], v), k
    assert not torch.equal(start.conv1.weight, tiny_an.teacher.conv1.weight)
    other = drain(retrain.run(tiny_an, MitigateParams(epochs=0, seed=8)))
    assert not torch.equal(other.conv1.weight, start.conv1.weight)


def test_magprune_cuts_the_smallest_magnitudes_and_keeps_them_zero(tiny_an: Analysis) -> None:
    t = tiny_an.teacher
    mags = torch.cat([t.conv1.weight.detach().abs().flatten(), t.conv2.weight.detach().abs().flatten()])
    k = round(0.25 * mags.numel())
    threshold = mags.sort().values[k - 1]
    start = drain(magprune.run(tiny_an, PruneParams(ratio=0.25, epochs=0)))
    for name in ("conv1", "conv2"):
        tw, sw = getattr(t, name).weight.detach(), getattr(start, name).weight.detach()
        assert torch.equal(sw == 0, tw.abs() <= threshold), name  # no ties in a random init
        assert torch.equal(sw[sw != 0], tw[sw != 0])
    tuned = drain(magprune.run(tiny_an, PruneParams(ratio=0.25, epochs=2)))
    for name in ("conv1", "conv2"):
        pruned = getattr(start, name).weight == 0
        w = getattr(tuned, name).weight
        assert bool((w[pruned] == 0).all()), name
        assert not torch.equal(w[~pruned], getattr(start, name).weight[~pruned])


def test_feature_mse_is_zero_exactly_when_features_coincide() -> None:
    a = {"s1": torch.randn(2, 3, 4, 4), "s2": torch.randn(2, 5, 2, 2)}
    assert float(feature_mse(a, {k: v.clone() for k, v in a.items()})) == 0.0
    b = {"s1": a["s1"] + 0.5, "s2": a["s2"]}
    assert float(feature_mse(b, a)) == pytest.approx(0.25)


def test_delta_loss_is_zero_for_the_teacher_itself_and_positive_after_a_change(tiny_an: Analysis) -> None:
    x = tiny_an.data.train.x[:8]  # type: ignore[union-attr]
    student = copy.deepcopy(tiny_an.teacher)
    with distillation(student, tiny_an.teacher, ["conv1", "conv2"], alpha=2.0) as loss:
        logits = student(x)
        assert float(loss(student, x, torch.zeros(8), logits).detach()) == 0.0
        with torch.no_grad():
            student.conv2.weight.add_(0.1)
        logits = student(x)
        value = loss(student, x, torch.zeros(8), logits)
        assert float(value.detach()) > 0
        value.backward()
        assert student.conv2.weight.grad is not None
    assert tiny_an.teacher.conv2.weight.grad is None
    assert not student.conv2._forward_hooks


def test_delta_trains_from_the_teacher(tiny_an: Analysis) -> None:
    start = drain(delta.run_simple(tiny_an, FeatureParams(epochs=0)))
    assert torch.equal(start.conv2.weight, tiny_an.teacher.conv2.weight)
    tuned = drain(delta.run_simple(tiny_an, FeatureParams(epochs=1, feature_alpha=1.0)))
    assert not torch.equal(tuned.conv2.weight, tiny_an.teacher.conv2.weight)
    published = drain(delta.run(tiny_an, DeltaParams(epochs=1, probe_epochs=1, attention_batches=1)))
    assert not torch.equal(published.conv2.weight, tiny_an.teacher.conv2.weight)


def test_renofeation_reinitialises_and_distils(tiny_an: Analysis) -> None:
    start = drain(renofeation.run(tiny_an, RenofeationParams(epochs=0, seed=3)))
    fresh = SmallCNN(5, widths=TUNED, seed=3)
    assert all(torch.equal(start.state_dict()[k], v) for k, v in fresh.state_dict().items())
    assert not any(m._forward_pre_hooks or m._forward_hooks for m in start.modules())
    x = tiny_an.data.train.x[:8]  # type: ignore[union-attr]
    with distillation(start, tiny_an.teacher, ["conv1", "conv2"], alpha=1.0) as loss:
        before = float(loss(start, x, torch.zeros(8), start(x)).detach())
    assert before > 0
    tuned = drain(renofeation.run(tiny_an, RenofeationParams(epochs=3, seed=3, feature_alpha=5.0)))
    with distillation(tuned, tiny_an.teacher, ["conv1", "conv2"], alpha=1.0) as loss:
        after = float(loss(tuned, x, torch.zeros(8), tuned(x)).detach())
    assert after < before  # distillation pulls the re-initialised features toward the teacher's


def test_spatial_dropout_drops_whole_output_channels_only_in_training() -> None:
    net = SmallCNN(widths=TUNED)
    x = torch.rand(4, 1, 8, 8)
    seen: dict[str, torch.Tensor] = {}
    net.conv2.register_forward_hook(lambda m, a, o: seen.__setitem__("in", a[0]))
    with spatial_dropout(net, ["conv1"], 0.5):
        net.train()
        torch.manual_seed(0)
        net(x)
        per_channel = seen["in"].flatten(2).abs().sum(dim=2)
        assert bool((per_channel == 0).any())
        net.eval()
        net(x)
        assert torch.equal(seen["in"], net.relu(net.conv1(x)))
    assert not net.conv1._forward_hooks
