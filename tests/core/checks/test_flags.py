"""Each after-attack flag fires on the result that plants it, and not on a sound one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import torch
from torch import nn

from tests.core.checks import planted
from tests.core.checks.test_preflight import model, study
from tltui.base.catalogue.checks import FLAGS
from tltui.core.attacks import TEACHER_ATTACKS
from tltui.core.attacks.autoattack import AutoAttackPlan, evaluate
from tltui.core.attacks.engine import AttackConfig
from tltui.core.checks import blackbox
from tltui.core.checks.context import Found
from tltui.core.checks.flagcontext import FlagContext
from tltui.core.evaluate import PixelModel, feature_fn
from tltui.core.images import Images


def metrics(aoi: float, aai: float, curve: list[list[float]] | None = None) -> Any:
    return {"aoi": aoi, "aai": aai, "robust": aai / aoi, "eps_curve": curve or [[0.0, aoi], [0.1, aai]]}


def context(
    models: dict[str, nn.Module],
    variants: dict[str, Any],
    x_teacher_adv: torch.Tensor | None = None,
    eps: float = 0.1,
    autoattack: dict[str, Any] | None = None,
) -> FlagContext:
    x, y = planted.images(32)
    s = study()
    s = replace(s, attack=replace(s.attack, eps=eps, alpha=eps / 4, eps_grid=(0.0, eps)))
    adv = {name: y.numpy() for name in models}  # the white-box attack left every input correct
    xa = Images.of(x if x_teacher_adv is None else x_teacher_adv)
    dev = torch.device("cpu")
    return FlagContext(
        s, model("clean"), models, variants, Images.of(x), y.numpy(), adv, xa, dev, (0.5,), (0.5,), autoattack
    )


def found(flag: str, ctx: FlagContext) -> list[Found]:
    return FLAGS[flag].load()(ctx)


def test_accuracy_rising_with_eps_fires() -> None:
    curve = [[0.0, 0.9], [0.05, 0.4], [0.1, 0.7]]
    ctx = context({}, {"bad": metrics(0.9, 0.7, curve), "good": metrics(0.9, 0.4)})
    (f,) = found("eps-not-monotone", ctx)
    assert f.model == "bad" and "rises from 0.400 at ε=0.05 to 0.700 at ε=0.1" in f.message


def test_aai_above_aoi_fires() -> None:
    ctx = context({}, {"bad": metrics(0.8, 0.9), "good": metrics(0.9, 0.1)})
    assert [f.model for f in found("aai-above-aoi", ctx)] == ["bad"]


def test_square_beats_a_masked_white_box_attack() -> None:
    """A stop-gradient model the white-box attack left whole: Square, with no gradient, fools it."""
    models = {"masked": model("stop_gradient"), "clean": model("clean")}
    variants = {"masked": metrics(1.0, 1.0), "clean": metrics(1.0, 0.1)}  # only a suspect is probed
    (f,) = found("blackbox-beats-whitebox", context(models, variants, eps=0.5))
    assert f.model == "masked" and "Square's random search (100 queries, no gradients) fools" in f.message
    assert blackbox.PROBE_SOURCE in f.message  # no preset in this run: the probe says it was the source


class ZeroGradient(planted.Quad):
    """Masked gradients the preset's attacks can run on: the input reaches the logits only through a path
    whose gradient is zero (a stop-gradient that keeps the graph, as a quantiser's rounding does)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.detach() + 0 * x)


def preset(net: nn.Module, eps: float) -> dict[str, Any]:
    """The AutoAttack preset (a small budget) on 8 planted images, as summary.json's `autoattack` variant."""
    x, y = planted.images(8)
    plan = AutoAttackPlan(eps=eps, steps=2, restarts=1, targets=1, queries=30)
    run = evaluate(PixelModel(net, (0.5,), (0.5,)), x, y, plan, n_classes=4, device=torch.device("cpu"))
    while True:
        try:
            next(run)
        except StopIteration as done:
            return {
                "clean_acc": 1.0,
                "robust_acc": float(done.value.robust.mean()),
                "attacks": done.value.attacks,
            }


def test_with_the_preset_the_flag_reads_its_square_not_the_probe() -> None:
    """Square beats APGD-CE, APGD-T and FAB-T on the masked model (and the study's PGD, which left every input
    right): the flag fires from the preset's results; on the clean model APGD leaves Square nothing."""
    results = {"masked": preset(ZeroGradient(), 0.5), "clean": preset(planted.Quad(), 0.5)}
    after = {n: [(a["name"], a["robust_acc"]) for a in r["attacks"]] for n, r in results.items()}
    assert after["masked"][2][1] > after["masked"][3][1], after  # Square took what FAB-T left
    models = {"masked": model("stop_gradient"), "clean": model("clean")}
    variants = {"masked": metrics(1.0, 1.0), "clean": metrics(1.0, 1.0)}  # both suspects of the probe
    (f,) = found("blackbox-beats-whitebox", context(models, variants, eps=0.5, autoattack=results))
    assert f.model == "masked" and blackbox.PRESET_SOURCE in f.message, f.message
    assert "APGD-CE, APGD-T, FAB-T left from" in f.message


def test_the_preset_flag_follows_autoattacks_threshold() -> None:
    """fra31/auto-attack's check_square_sr: Square must take more than 0.2 points off; a skipped attack is no
    white-box result."""

    def rows(*accs: float, skip_t: bool = False) -> dict[str, Any]:
        names = ("apgd-ce", "apgd-t", "fab-t", "square")
        out = [{"name": n, "robust_acc": a, "queries": 5000} for n, a in zip(names, accs, strict=True)]
        if skip_t:
            out[1]["skipped"] = "needs 4 classes or more"
        return {"attacks": out}

    results = {
        "tie": rows(0.5, 0.4, 0.4, 0.399),
        "drop": rows(0.5, 0.4, 0.4, 0.39),
        "few": rows(0.5, 0.5, 0.5, 0.4, skip_t=True),
    }
    assert [f.model for f in blackbox.from_preset(results, 0.1)] == ["drop", "few"]
    assert (
        "APGD-CE, FAB-T left from 0.500 to 0.400"
        in blackbox.from_preset({"few": results["few"]}, 0.1)[0].message
    )


def test_a_teacher_attack_no_better_than_noise_fires() -> None:
    x, _ = planted.images(32)
    g = torch.Generator().manual_seed(1)
    noise = (x + 0.1 * (torch.randint(0, 2, x.shape, generator=g) * 2 - 1)).clamp(0, 1)
    (f,) = found("teacher-attack-weak", context({}, {}, noise))
    assert f.model == "teacher" and "barely works" in f.message
    teacher = model("clean")
    phi = feature_fn(teacher, "fc", (0.5,), (0.5,))
    cfg = AttackConfig(eps=0.1, alpha=0.025, steps=10, random_start=True)
    crafted = TEACHER_ATTACKS["feature"](phi, x, cfg, generator=torch.Generator().manual_seed(0))
    assert found("teacher-attack-weak", context({}, {}, crafted.detach())) == []
    assert np.isfinite(crafted.numpy()).all()
