"""Our attack engine: the budget holds, and our PGD matches torchattacks' PGD on the demo models."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torchattacks

from tltui.base.progress import drain
from tltui.base.study import demo_study
from tltui.core.analysis import Analysis
from tltui.core.attacks import ATTACKS, TEACHER_ATTACKS
from tltui.core.attacks.engine import AttackConfig
from tltui.core.evaluate import PixelModel, feature_fn
from tltui.core.models import DigitsNet

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def demo(demo_run: Path, isolated_home: Path) -> Analysis:
    an = Analysis(demo_study(), isolated_home, CPU)
    drain(an.load())  # cached by demo_run: loads, does not train
    return an


def test_our_pgd_matches_torchattacks_on_the_demo(demo: Analysis) -> None:
    x, y = demo.data.test.x, demo.data.test.y
    for name in ("scratch", "finetune"):
        pix = PixelModel(demo.variants[name], demo.mean, demo.std).eval()
        cfg = AttackConfig(eps=0.1, alpha=0.02, steps=10, random_start=False)
        ours = ATTACKS["pgd"](pix, x, y, cfg)
        ref = torchattacks.PGD(pix, eps=0.1, alpha=0.02, steps=10, random_start=False)(x, y)
        with torch.no_grad():
            acc_ours = (pix(ours).argmax(1) == y).float().mean().item()
            acc_ref = (pix(ref).argmax(1) == y).float().mean().item()
        assert abs(acc_ours - acc_ref) <= 0.005, (name, acc_ours, acc_ref)
        assert acc_ours < 0.9  # the attack did something


@pytest.mark.parametrize("norm", ["linf", "l2"])
@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_whitebox_attacks_stay_in_budget(name: str, norm: str) -> None:
    torch.manual_seed(0)
    net = PixelModel(DigitsNet(5), (0.5,), (0.5,)).eval()
    x = torch.rand(8, 1, 16, 16)
    y = torch.randint(0, 5, (8,))
    cfg = AttackConfig(eps=0.05, alpha=0.02, steps=4, random_start=True, norm=norm)
    adv = ATTACKS[name](net, x, y, cfg, generator=torch.Generator().manual_seed(0))
    d = (adv - x).flatten(1)
    size = d.abs().max(1).values if norm == "linf" else d.norm(dim=1)
    assert (size <= 0.05 + 1e-5).all()
    assert adv.min() >= 0 and adv.max() <= 1
    loss = torch.nn.functional.cross_entropy
    with torch.no_grad():
        if name.startswith("ta-"):  # zoo attacks may stop early on inputs that are already wrong
            assert loss(net(adv), y) >= loss(net(x), y) - 1e-6
        else:
            assert loss(net(adv), y) > loss(net(x), y)


@pytest.mark.parametrize("name", sorted(TEACHER_ATTACKS))
def test_teacher_attacks_move_features(name: str) -> None:
    torch.manual_seed(0)
    net = DigitsNet(5).eval()
    phi = feature_fn(net, "fc", (0.5,), (0.5,))
    x = torch.rand(8, 1, 16, 16)
    cfg = AttackConfig(eps=0.1, alpha=0.02, steps=5)
    adv = TEACHER_ATTACKS[name](phi, x, cfg, generator=torch.Generator().manual_seed(0))
    assert (adv - x).abs().max() <= 0.1 + 1e-5
    with torch.no_grad():
        moved = (phi(adv) - phi(x)).norm(dim=1)
        noise = (phi((x + (torch.rand_like(x) * 2 - 1) * 0.1).clamp(0, 1)) - phi(x)).norm(dim=1)
    assert moved.mean() > 2 * noise.mean()
