"""Flag `blackbox-beats-whitebox`: Square's random search, with no gradients, fools what the white-box attack left."""

from __future__ import annotations

import numpy as np
import torch

from tltui.base.rundir.metrics import ROBUST
from tltui.core.checks.context import Found
from tltui.core.checks.flagcontext import FlagContext
from tltui.core.checks.randsearch import margin, square_linf
from tltui.core.evaluate import PixelModel
from tltui.core.hooks import eval_mode

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
    a = ctx.study.attack
    if a.name == SQUARE or a.norm != "linf":
        return []  # the white-box attack is the black-box one; the probe is Square's L∞ search only
    found = []
    rng = np.random.default_rng(ctx.study.seed)
    gen = torch.Generator().manual_seed(ctx.study.seed)
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
        with eval_mode(model):
            xa = square_linf(pix, x, y, a.eps, QUERIES, gen)
            fooled = int((margin(pix, xa, y) < 0).sum())
        if fooled >= SHARE * len(idx):
            found.append(
                Found(
                    name,
                    f"Square's random search ({QUERIES} queries, no gradients) fools {fooled} of {len(idx)} "
                    f"inputs the white-box {a.name} left correct at ε={a.eps:.4g}: its gradients mislead it "
                    "(masking), so the white-box accuracy overstates robustness; use a stronger or adaptive "
                    "attack",
                )
            )
    return found
