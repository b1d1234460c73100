"""Flag `teacher-attack-weak`: teacher-crafted inputs move the teacher's features no more than random noise."""

from __future__ import annotations

import numpy as np
import torch

from tltui.core import models as M
from tltui.core.checks.context import Found
from tltui.core.checks.flagcontext import FlagContext
from tltui.core.evaluate import feature_fn
from tltui.core.hooks import eval_mode

PROBE = 32
RATIO = 1.5
"""The attack must move the teacher's features this many times further than random signs of the same size."""


def run(ctx: FlagContext) -> list[Found]:
    rng = np.random.default_rng(ctx.study.seed)
    idx = np.sort(rng.choice(ctx.n, size=min(PROBE, ctx.n), replace=False))
    x = ctx.x[idx].to(ctx.device)
    xa = ctx.x_teacher_adv[idx].to(ctx.device)
    delta = xa - x
    if float(delta.abs().max()) == 0.0:
        return [
            Found(
                "teacher", "the teacher-crafted inputs equal the clean ones: the teacher attack moved nothing"
            )
        ]
    g = torch.Generator(device="cpu").manual_seed(ctx.study.seed)
    signs = (torch.randint(0, 2, delta.shape, generator=g) * 2 - 1).to(delta)
    xr = (x + signs * delta.abs()).clamp(0, 1)
    phi = feature_fn(ctx.teacher, M.head_name(ctx.teacher), ctx.mean, ctx.std)
    with eval_mode(ctx.teacher), torch.no_grad():
        f0, fa, fr = phi(x), phi(xa), phi(xr)
    moved = float((fa - f0).norm(dim=1).median())
    noise = float((fr - f0).norm(dim=1).median())
    if moved <= RATIO * noise:
        return [
            Found(
                "teacher",
                f"the teacher-crafted inputs move the teacher's penultimate features by {moved:.3g} (median), "
                f"random signs of the same size by {noise:.3g}: the teacher attack barely works (masked "
                "gradients, too few steps or too small a step), so DIR understates the inheritance",
            )
        ]
    return []
