"""Flag `blackbox-beats-whitebox`: Square, with no gradients, fools what the white-box attacks left.

With the AutoAttack preset in the run it reads the preset's own results, as AutoAttack's check does: Square runs
there on the images APGD-CE, APGD-T and FAB-T left right, so any accuracy it takes off beyond ALPHA is theirs
missed. Without the preset it runs its own small Square probe (tltui/core/checks/randsearch.py) against the
study's white-box attack. Each finding names the source it read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
"""The share of the survivors Square must fool to flag: a weak black-box search beating the white-box attack on a
quarter of its survivors is gradient masking, not chance."""
ALPHA = 0.002
"""The robust accuracy Square must take off the preset's white-box attacks to flag (fra31/auto-attack
`check_square_sr`: 0.2 points)."""
PRESET_SOURCE = "source: the AutoAttack preset's Square"
PROBE_SOURCE = "source: tltui's Square probe (no AutoAttack preset in this run)"


def run(ctx: FlagContext) -> list[Found]:
    if ctx.autoattack:
        return from_preset(ctx.autoattack, ctx.study.attack.eps)
    return probe(ctx)


def from_preset(results: Mapping[str, Any], eps: float) -> list[Found]:
    """A finding per variant whose preset Square lowered the robust accuracy its white-box attacks left by more
    than ALPHA (the stages are cumulative: Square's is the worst case over all four)."""
    found = []
    for name, result in results.items():
        stages: Sequence[Mapping[str, Any]] = result.get("attacks") or []
        ran = [s for s in stages if "skipped" not in s]
        square = next((s for s in ran if s.get("name") == "square"), None)
        white = [s for s in ran if s.get("name") != "square"]
        if square is None or not white:
            continue
        before, after = min(float(s["robust_acc"]) for s in white), float(square["robust_acc"])
        if after < before - ALPHA:
            names = ", ".join(str(s["name"]).upper() for s in white)
            found.append(
                Found(
                    name,
                    f"Square ({square.get('queries')} queries, no gradients) lowers the robust accuracy "
                    f"{names} left from {before:.3f} to {after:.3f} at ε={eps:.4g} ({PRESET_SOURCE}): the "
                    "white-box attacks' gradients mislead them (masking), so their accuracy overstates "
                    "robustness; run Square with more queries and restarts, or an adaptive attack",
                )
            )
    return found


def probe(ctx: FlagContext) -> list[Found]:
    """The Square probe on up to PROBE inputs of each suspect variant that its white-box attack left correct."""
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
                    f"inputs the white-box {a.name} left correct at ε={a.eps:.4g} ({PROBE_SOURCE}): its "
                    "gradients mislead it (masking), so the white-box accuracy overstates robustness; use a "
                    "stronger or adaptive attack",
                )
            )
    return found
