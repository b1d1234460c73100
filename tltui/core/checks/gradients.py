"""Check `input-gradients`: zero or non-finite input gradients on correctly classified inputs (masked gradients)."""

from __future__ import annotations

import torch

from tltui.core.checks.context import CheckContext, Found, Probe
from tltui.core.data import normalize
from tltui.core.hooks import eval_mode


def margin_gradients(ctx: CheckContext, p: Probe, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """Per input, the gradient in pixel space of its margin (output of class `c` minus the largest other one):
    unlike the cross-entropy's, it does not underflow on a confidently right answer."""
    x = x.detach().clone().requires_grad_(True)
    with eval_mode(p.model), torch.enable_grad():
        z = p.model(normalize(x, ctx.mean, ctx.std)).float()
        if not z.requires_grad:  # the forward cut the graph (no_grad or detach inside)
            return torch.zeros_like(x)
        own = z.gather(1, c[:, None]).squeeze(1)
        others = z.scatter(1, c[:, None], float("-inf")).amax(dim=1)
        (g,) = torch.autograd.grad((own - others).sum(), x, allow_unused=True)
    return torch.zeros_like(x) if g is None else g.detach()


def run(ctx: CheckContext) -> list[Found]:
    found = []
    for p in ctx.probes:
        x = p.x
        pred = ctx.outputs(p).argmax(dim=1)
        right = pred == p.y.to(pred.device) if p.y is not None else torch.ones_like(pred, dtype=torch.bool)
        if not bool(right.any()):
            continue  # nothing correctly classified: clean-accuracy says so
        g = margin_gradients(ctx, p, x[right], pred[right]).flatten(1)
        bad = ~torch.isfinite(g).all(dim=1)
        zero = (g == 0).all(dim=1) & ~bad
        n, what = len(g), "correctly classified" if p.y is not None else "(unlabelled, at its own prediction)"
        if bool(bad.any()):
            found.append(
                Found(p.name, f"{int(bad.sum())} of {n} inputs {what} have non-finite input gradients")
            )
        if bool(zero.any()):
            found.append(
                Found(
                    p.name,
                    f"{int(zero.sum())} of {n} inputs {what} have an input gradient of exactly zero: a "
                    "stop-gradient, a non-differentiable step (rounding, argmax) or saturated outputs mask "
                    "the gradient, so white-box attacks overstate robustness (try a black-box attack)",
                )
            )
    return found
