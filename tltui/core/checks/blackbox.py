"""Flag `blackbox-beats-whitebox`: Square, with no gradients, fools inputs the white-box attack left correct."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from tltui.base.rundir.metrics import ROBUST
from tltui.core.analysis import attack_config
from tltui.core.checks.context import Found
from tltui.core.checks.flagcontext import FlagContext
from tltui.core.evaluate import PixelModel

SQUARE = "ta-square"
PROBE = 16
"""White-box survivors Square tries per variant (a seeded sample)."""
SUSPECT = 0.5
"""Square runs on a variant that keeps at least this share of its accuracy under the white-box attack (AAI/AOI):
masked gradients show as a model the attack barely touches, and the probe's cost goes where it can matter."""
QUERIES = 100
"""Square's queries per input: a fiftieth of AutoAttack's 5000, so only a gross gap shows."""
SHARE = 0.25
"""The share of the survivors Square must fool to flag: a weak black-box attack beating the white-box one on a
quarter of its survivors is gradient masking, not chance."""


def run(ctx: FlagContext) -> list[Found]:
    from tltui.core.attacks import ATTACKS

    a = ctx.study.attack
    if a.name == SQUARE or SQUARE not in ATTACKS:
        return []  # the white-box attack is the black-box one
    cfg = attack_config(ctx.study)
    cfg = replace(cfg, steps=QUERIES, random_start=False)
    found = []
    rng = np.random.default_rng(ctx.study.seed)
    for name, model in ctx.models.items():
        if (ROBUST.of(ctx.variants.get(name)) or 0.0) < SUSPECT:
            continue
        survived = np.flatnonzero(ctx.adv_pred[name] == ctx.y)
        if len(survived) == 0:
            continue
        idx = np.sort(rng.choice(survived, size=min(PROBE, len(survived)), replace=False))
        x = ctx.x[idx].to(ctx.device)
        y = torch.as_tensor(ctx.y[idx], device=ctx.device)
        pix = PixelModel(model, ctx.mean, ctx.std).to(ctx.device).eval()
        gen = torch.Generator(device=ctx.device).manual_seed(ctx.study.seed)
        xa = ATTACKS[SQUARE](pix, x, y, cfg, generator=gen)
        with torch.no_grad():
            fooled = int((pix(xa).argmax(1) != y).sum())
        if fooled >= SHARE * len(idx):
            found.append(
                Found(
                    name,
                    f"Square ({QUERIES} queries, no gradients) fools {fooled} of {len(idx)} inputs the white-box "
                    f"{a.name} left correct at ε={a.eps:.4g}: its gradients mislead it (masking), so the "
                    "white-box accuracy overstates robustness; use a stronger or adaptive attack",
                )
            )
    return found
