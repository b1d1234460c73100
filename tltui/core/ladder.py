"""The DIR ladder: DIR under every teacher-only attack, weakest first, each with its budget, runtime and interval."""

from __future__ import annotations

import time
from collections.abc import Generator, Mapping
from dataclasses import asdict, replace

import numpy as np

from tltui.base.catalogue.attacks import LADDER, TEACHER_ATTACKS, TEACHER_LOGIT_ATTACKS
from tltui.base.intervals import BOOT_SEED, N_BOOT, Outcomes, variant_intervals
from tltui.base.progress import Progress
from tltui.base.rundir.metrics import DIR
from tltui.base.rundir.shape_attacks import LadderBlock, LadderRung, LadderWorst
from tltui.base.rundir.shape_interval import IntervalBlock
from tltui.core.analysis import Analysis, teacher_config
from tltui.core.attacks.engine import AttackConfig


def rung_config(an: Analysis, rung: str) -> AttackConfig:
    """A rung's budget: the teacher attack's (ε, α, steps, random start, space), the same for every rung so the
    rungs differ in objective only; APGD runs the AutoAttack iterations (`[attack] aa_steps`) from its own first
    step, 2ε (recorded as α; it adapts the step itself), and the feature distortion always starts at random (its
    gradient is zero at the clean input)."""
    cfg = teacher_config(an.study)
    if rung == "logit-apgd":
        return replace(cfg, alpha=2 * cfg.eps, steps=an.study.attack.aa_steps, random_start=False)
    if rung == "feature":
        return replace(cfg, random_start=True)
    return cfg


def _interval(o: Outcomes) -> IntervalBlock:
    block = variant_intervals(o, n_boot=N_BOOT, seed=BOOT_SEED)[DIR.key].as_json()
    return IntervalBlock(
        value=float(block["value"]),
        lo=float(block["lo"]),
        hi=float(block["hi"]),
        includes=str(block["includes"]),
    )


def ladder_rung(
    an: Analysis, rung: str, clean: Mapping[str, np.ndarray]
) -> Generator[Progress, None, tuple[LadderRung, dict[str, np.ndarray]]]:
    """One rung over the whole test set (through the adversarial cache): each variant's DIR under it with a
    bootstrap interval, and per variant the images it fooled. `clean`: each variant's clean predictions."""
    y = an.data.test.y.numpy()
    cfg = rung_config(an, rung)
    s = an.ladder_set(rung, cfg)
    cached, t0 = an.cache.has(s.key), time.perf_counter()
    x_adv = yield from an.run_set(s)
    seconds = round(time.perf_counter() - t0, 3)
    per_variant: dict[str, IntervalBlock] = {}
    fooled: dict[str, np.ndarray] = {}
    for name, model in an.variants.items():
        o = Outcomes.of(y, clean[name], an.predict(model, x_adv)[0])
        fooled[name], per_variant[name] = o.fooled, _interval(o)
    entry = TEACHER_ATTACKS.get(rung) or TEACHER_LOGIT_ATTACKS[rung]
    config = asdict(cfg)
    row = LadderRung(
        name=rung,
        objective=entry.help,
        space="features" if rung in TEACHER_ATTACKS else "logits",
        eps=config["eps"],
        alpha=config["alpha"],
        steps=config["steps"],
        restarts=1,
        random_start=config["random_start"],
        norm=config["norm"],
        scale=list(cfg.scale) if cfg.scale is not None else None,
        seconds=seconds,
        cached=cached,
        variants=per_variant,
    )
    return row, fooled


def ladder_block(
    rungs: list[LadderRung], fooled: list[dict[str, np.ndarray]], correct: Mapping[str, np.ndarray]
) -> LadderBlock:
    """The ladder with each variant's worst rung (the highest DIR) and the per-image union of the rungs."""
    worst: dict[str, LadderWorst] = {}
    for name, right in correct.items():
        top = max(rungs, key=lambda r: r["variants"][name]["value"])
        union = np.logical_or.reduce([f[name] for f in fooled])
        worst[name] = LadderWorst(
            rung=top["name"], value=top["variants"][name], any_rung=_interval(Outcomes(right, union & right))
        )
    return LadderBlock(rungs=rungs, worst=worst)


__all__ = ["LADDER", "ladder_block", "ladder_rung", "rung_config"]
