"""Check `probability-outputs`: the model outputs probabilities (a softmax head), not logits."""

from __future__ import annotations

from tltui.core.checks.context import CheckContext, Found


def run(ctx: CheckContext) -> list[Found]:
    found = []
    for p in ctx.probes:
        z = ctx.outputs(p)
        in_unit = bool(((z >= -1e-6) & (z <= 1 + 1e-6)).all())
        sums = z.sum(dim=1)
        if in_unit and bool(((sums - 1).abs() < 1e-3).all()):
            found.append(
                Found(
                    p.name,
                    "its outputs are probabilities (every row in [0, 1], summing to 1): tltui applies softmax "
                    "and cross-entropy to logits, so the attack's loss saturates (weaker attack, inflated "
                    "robustness); return the logits (drop the final softmax)",
                )
            )
    return found
