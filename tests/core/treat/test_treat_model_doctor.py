"""Model Doctor's channel loss: zero (with zero gradient) when gradients lie inside the mask, positive outside;
the treatment drives it down (it is not plain continued training)."""

from __future__ import annotations

import copy
from pathlib import Path

import torch
from torch import nn

from tests.nets import tiny_analysis
from tltui.base.catalogue.treatment import ModelDoctorParams
from tltui.base.progress import collect, drain
from tltui.core.hooks import capture
from tltui.core.reinit import reinitialise
from tltui.core.treat.model_doctor import (
    channel_loss,
    diagnose,
    mean_channel_loss,
    run,
    run_scratch,
    top_wrong_class,
)


class TwoChannel(nn.Module):
    """Identity 1×1 conv on 2 channels, mean pool, then a hand-set head: class k reads channel k only."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 1, bias=False)
        self.fc = nn.Linear(2, 2, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(torch.eye(2).view(2, 2, 1, 1))
            self.fc.weight.copy_(torch.eye(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.conv(x).mean(dim=(2, 3)))


def _loss(mask: torch.Tensor) -> tuple[torch.Tensor, TwoChannel]:
    net = TwoChannel()
    x = torch.rand(4, 2, 3, 3)
    x[:, 0] += 1.0  # class 0 is always on top, so the top wrong class is 1
    y = torch.zeros(4, dtype=torch.long)
    with capture(net, ["conv"], detach=False) as store:
        logits = net(x)
        assert torch.equal(top_wrong_class(logits, y), torch.ones(4, dtype=torch.long))
        loss = channel_loss(logits, store["conv"], y, mask)
    loss.backward()
    return loss, net


def test_gradients_inside_the_mask_give_zero_loss_and_zero_gradient() -> None:
    # ∂logit_0 lies in channel 0 (in class 0's mask); ∂logit_1 lies in channel 1 (outside class 1's mask)
    loss, net = _loss(torch.tensor([[1.0, 0.0], [1.0, 0.0]]))
    assert float(loss.detach()) == 0.0
    for p in net.parameters():
        assert p.grad is None or torch.count_nonzero(p.grad) == 0


def test_true_class_gradient_outside_its_mask_is_penalised() -> None:
    loss, net = _loss(torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    # ĝ_0(0) = Σ_space 1/9 over 3×3 = 1 per image, so 1 as the mean over the batch
    assert abs(float(loss.detach()) - 1.0) < 1e-6
    assert net.fc.weight.grad is not None and float(net.fc.weight.grad.abs().sum()) > 0


def test_wrong_class_gradient_inside_its_mask_is_penalised() -> None:
    loss, net = _loss(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    assert abs(float(loss.detach()) - 1.0) < 1e-6
    assert net.fc.weight.grad is not None and float(net.fc.weight.grad[1, 1]) > 0


def test_treatment_drives_the_channel_loss_down(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    split = an.data.train
    assert split is not None
    params = ModelDoctorParams(epochs=8, lr=1e-2, n_per_class=8)
    mask = diagnose(an.variants["finetune"], split, "conv2", an, params)
    before = mean_channel_loss(an.variants["finetune"], split, "conv2", mask, an)
    plain = drain(run(an, ModelDoctorParams(epochs=8, lr=1e-2, n_per_class=8, channel_alpha=0.0)))
    treated = drain(run(an, params))
    after_plain = mean_channel_loss(plain, split, "conv2", mask, an)
    after = mean_channel_loss(treated, split, "conv2", mask, an)
    assert before > 0
    assert after < 0.5 * before and after < 0.5 * after_plain


def test_from_scratch_reinitialises_after_diagnosing_the_variant(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    params = ModelDoctorParams(epochs=0, n_per_class=8, seed=5)
    steps, fresh = collect(run_scratch(an, params))
    expected = copy.deepcopy(an.variants["finetune"])
    reinitialise(expected, 5)
    for k, v in expected.state_dict().items():
        assert torch.equal(fresh.state_dict()[k], v), k
    assert not torch.equal(fresh.conv2.weight, an.variants["finetune"].conv2.weight)
    assert any("re-initialised (seed 5)" in s.msg for s in steps)
    tuned = drain(run(an, params))  # the fine-tune form keeps the variant's weights
    assert torch.equal(tuned.conv2.weight, an.variants["finetune"].conv2.weight)
