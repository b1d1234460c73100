"""The AutoAttack preset over the variants of an analysis, as summary.json's `autoattack` block."""

from __future__ import annotations

from collections.abc import Generator
from typing import cast

from torch import nn

from tltui.base.progress import Progress
from tltui.base.rundir.shape_attacks import AutoAttackBlock, AutoAttackStage, AutoAttackVariant
from tltui.base.study import Study
from tltui.core.analysis import Analysis, attack_target
from tltui.core.attacks.autoattack import AutoAttackPlan, evaluate


def plan_of(study: Study) -> AutoAttackPlan:
    """The preset at the study's ε and norm with its `aa_*` budget (the reference's unless lowered)."""
    a = study.attack
    return AutoAttackPlan(
        eps=a.eps,
        norm=a.norm,
        steps=a.aa_steps,
        restarts=a.aa_restarts,
        targets=a.aa_targets,
        queries=a.aa_queries,
    )


def autoattack_variant(an: Analysis, model: nn.Module) -> Generator[Progress, None, AutoAttackVariant]:
    """AutoAttack `standard` on one variant over the whole test set (not cached: each run attacks anew)."""
    test = an.data.test
    target = attack_target("whitebox", model, an.mean, an.std, an.device)
    assert isinstance(target, nn.Module)  # the white-box target is a PixelModel
    result = yield from evaluate(
        target,
        test.images,
        test.y,
        plan_of(an.study),
        n_classes=test.num_classes,
        device=an.device,
        batch_size=an.batch_size,
        seed=an.study.seed,
    )
    return AutoAttackVariant(
        clean_acc=float(result.correct.mean()),
        robust_acc=float(result.robust.mean()),
        attacks=[cast(AutoAttackStage, row) for row in result.attacks],
    )


def autoattack_block(study: Study, variants: dict[str, AutoAttackVariant]) -> AutoAttackBlock:
    plan = plan_of(study)
    return AutoAttackBlock(
        preset="autoattack",
        eps=plan.eps,
        norm=plan.norm,
        steps=plan.steps,
        restarts=plan.restarts,
        targets=plan.targets,
        queries=plan.queries,
        seed=study.seed,
        variants=variants,
    )
