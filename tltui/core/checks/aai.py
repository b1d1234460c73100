"""Flag `aai-above-aoi`: accuracy under the white-box attack above the clean accuracy."""

from __future__ import annotations

from tltui.base.rundir.metrics import AAI, AOI
from tltui.core.checks.context import Found
from tltui.core.checks.flagcontext import FlagContext

TOLERANCE = 0.005


def run(ctx: FlagContext) -> list[Found]:
    found = []
    for name, v in ctx.variants.items():
        aoi, aai = AOI.of(v), AAI.of(v)
        if aoi is not None and aai is not None and aai > aoi + TOLERANCE + 1.0 / max(ctx.n, 1):
            found.append(
                Found(
                    name,
                    f"accuracy under attack {aai:.3f} is above the clean accuracy {aoi:.3f}: the attack makes "
                    "the model more right (a wrong sign, labels in another order, a random start that helps)",
                )
            )
    return found
