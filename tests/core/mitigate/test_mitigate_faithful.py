"""DELTA as published, Renofeation complete: the channel attention against a hand computation, the weighted
distance and the β penalty against their formulas, dropout after every stage, SWA's average and batch norms."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from torchvision.models import resnet18

from tests.nets import TUNED, ChannelReader, SmallCNN
from tltui.base.catalogue.mitigation import DeltaParams, FeatureParams, RenofeationParams
from tltui.base.errors import MitigateError
from tltui.base.progress import collect, drain
from tltui.core.analysis import Analysis
from tltui.core.data import Split
from tltui.core.mitigate import delta, renofeation
from tltui.core.mitigate._attention import attention_distance, attention_weights, removal_scores
from tltui.core.mitigate._features import delta_stages, distillation, spatial_dropout
from tltui.core.mitigate._penalties import linear_l2
from tltui.core.mitigate._swa import Averager, recompute_bn, snapshot_interval


def _hand_ce_rise(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """ChannelReader by hand: class k's logit is the mean of relu(x_j + 0.5) for j = READS[k]; removing channel j
    sets that mean to 0. Returns, per channel, CE(removed) − CE(intact)."""
    means = torch.relu(x + 0.5).mean(dim=(2, 3))  # (B, 4): the identity conv's channels, pooled

    def ce(m: torch.Tensor) -> torch.Tensor:
        logits = m[:, list(ChannelReader.READS)]
        return (torch.logsumexp(logits, dim=1) - logits.gather(1, y.view(-1, 1)).squeeze(1)).mean()

    rises = []
    for j in range(4):
        m = means.clone()
        m[:, j] = 0
        rises.append(ce(m) - ce(means))
    return torch.stack(rises)


def test_attention_weights_match_a_hand_computation() -> None:
    g = torch.Generator().manual_seed(0)
    batches = [
        (torch.rand(6, 4, 3, 3, generator=g), torch.randint(0, 3, (6,), generator=g)) for _ in range(2)
    ]
    scores = removal_scores(ChannelReader(), batches, ["conv"])["conv"]
    hand = (_hand_ce_rise(*batches[0]) + _hand_ce_rise(*batches[1])) / 2  # the running mean over two batches
    assert torch.allclose(scores.float(), hand, atol=1e-6)
    assert float(scores[1]) == 0.0  # channel 1 feeds no class
    z = (hand - hand.mean()) / hand.std(unbiased=False)
    expected = torch.exp(z / 5) / torch.exp(z / 5).sum()
    assert torch.allclose(attention_weights(scores), expected, atol=1e-6)
    assert torch.equal(attention_weights(torch.zeros(3)), torch.full((3,), 1 / 3))


def test_attention_distance_is_the_reference_formula() -> None:
    t = torch.zeros(2, 3, 2, 2)
    s = t + torch.tensor([1.0, 2.0, 0.0]).view(1, 3, 1, 1)
    w = torch.tensor([0.5, 0.3, 0.2])
    # per image ½ Σ_c C·w_c·‖Δ_c‖²/(H·W) = ½ (3·0.5·1 + 3·0.3·4 + 0), summed over 2 images
    assert float(attention_distance({"a": s}, {"a": t}, {"a": w})) == pytest.approx(5.1)


def test_beta_penalty_value_and_gradient() -> None:
    head = nn.Linear(3, 2)
    value = linear_l2([head], 0.3)
    squares = head.weight.detach().pow(2).sum() + head.bias.detach().pow(2).sum()
    assert float(value.detach()) == pytest.approx(0.15 * float(squares))
    value.backward()
    assert head.weight.grad is not None and head.bias.grad is not None
    assert torch.allclose(head.weight.grad, 0.3 * head.weight.detach())  # ∂(β·½‖w‖²)/∂w = β·w
    assert torch.allclose(head.bias.grad, 0.3 * head.bias.detach())


def test_delta_matches_the_last_conv_of_each_resnet_stage() -> None:
    names = delta_stages(resnet18(num_classes=3), FeatureParams())
    assert names == ["layer1.1.conv2", "layer2.1.conv2", "layer3.1.conv2", "layer4.1.conv2"]
    assert delta_stages(SmallCNN(), FeatureParams()) == ["conv1", "conv2"]
    assert delta_stages(SmallCNN(), FeatureParams(stages=("conv2",))) == ["conv2"]


def test_dropout_after_a_stage_leaves_the_matched_feature_intact() -> None:
    net = SmallCNN(widths=TUNED)
    x = torch.rand(4, 1, 8, 8)
    pooled: dict[str, torch.Tensor] = {}
    net.pool.register_forward_hook(lambda m, a, o: pooled.__setitem__("in", a[0]))
    with (
        distillation(net, copy.deepcopy(net), ["conv1"], 1.0) as loss,
        spatial_dropout(net, ["conv1", "conv2"], 0.5),
    ):
        net.train()
        torch.manual_seed(1)
        logits = net(x)
        assert float(loss(net, x, torch.zeros(4), logits).detach()) == 0.0  # captured before its dropout
        assert bool((pooled["in"].flatten(2).abs().sum(dim=2) == 0).any())  # the last stage's output dropped


def test_renofeation_drops_after_every_stage_and_averages(
    tiny_an: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped: list[list[str]] = []
    real = renofeation.spatial_dropout

    def spy(model: nn.Module, names: list[str], p: float):  # type: ignore[no-untyped-def]
        dropped.append(list(names))
        return real(model, names, p)

    monkeypatch.setattr(renofeation, "spatial_dropout", spy)
    steps, model = collect(renofeation.run(tiny_an, RenofeationParams(epochs=2, swa_epochs=1, seed=3)))
    assert dropped == [["conv1", "conv2"]]
    assert any(s.phase == "renofeation swa" for s in steps)
    assert steps[-1].msg.startswith("snapshots averaged: 1;")  # 40 images in one batch, one SWA epoch
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())


def test_swa_averages_the_snapshots_every_interval() -> None:
    lin = nn.Linear(1, 1, bias=False)
    avg = Averager(every=2)
    for v in range(1, 7):
        with torch.no_grad():
            lin.weight.fill_(float(v))
        avg(lin)
    assert avg.count == 3
    avg.swap_in(lin)
    assert float(lin.weight.detach()) == pytest.approx(4.0)  # the mean of the snapshots at steps 2, 4, 6
    assert snapshot_interval(30000 * 64, 64, 1) == 500  # the reference's 500 of 30000 iterations
    assert snapshot_interval(40, 64, 3) == 1


def test_batch_norm_statistics_recomputed_from_the_training_data() -> None:
    net = nn.Sequential(nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2))
    x = torch.rand(10, 1, 4, 4)
    split = Split(x, torch.zeros(10, dtype=torch.long), ["a"], [str(i) for i in range(10)])
    assert recompute_bn(net, split, (0.0,), (1.0,), torch.device("cpu"), batch_size=10) == 1
    with torch.no_grad():
        h = net[0](x)
    assert torch.allclose(net[1].running_mean, h.mean(dim=(0, 2, 3)), atol=1e-6)
    assert torch.allclose(net[1].running_var, h.var(dim=(0, 2, 3), unbiased=True), atol=1e-5)
    assert net[1].momentum == 0.1


def test_delta_divergence_is_one_line(tiny_an: Analysis) -> None:
    params = DeltaParams(epochs=5, feature_alpha=1e38, probe_epochs=1, attention_batches=1)
    with pytest.raises(MitigateError, match="lower --feature-alpha"):
        drain(delta.run(tiny_an, params))
