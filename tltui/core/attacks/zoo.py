"""The torchattacks zoo behind our attack signature: FGSM, PGD, CW, APGD, DeepFool, MIFGSM, Square."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from tltui.base.errors import StudyError
from tltui.core.attacks.engine import AttackConfig, project


def _build(name: str, model: nn.Module, cfg: AttackConfig) -> Any:
    import torchattacks as ta

    linf = cfg.norm == "linf"
    builders: dict[str, Callable[[], Any]] = {
        "fgsm": lambda: ta.FGSM(model, eps=cfg.eps),
        "pgd": lambda: (ta.PGD if linf else ta.PGDL2)(
            model, eps=cfg.eps, alpha=cfg.alpha, steps=cfg.steps, random_start=cfg.random_start
        ),
        "cw": lambda: ta.CW(model, c=1.0, kappa=0, steps=max(cfg.steps, 10), lr=0.01),
        "apgd": lambda: ta.APGD(model, norm="Linf" if linf else "L2", eps=cfg.eps, steps=cfg.steps, seed=0),
        "deepfool": lambda: ta.DeepFool(model, steps=max(cfg.steps, 10), overshoot=0.02),
        "mifgsm": lambda: ta.MIFGSM(model, eps=cfg.eps, alpha=cfg.alpha, steps=cfg.steps, decay=1.0),
        "square": lambda: ta.Square(
            model, norm="Linf" if linf else "L2", eps=cfg.eps, n_queries=max(cfg.steps, 100), seed=0
        ),
    }
    if name not in builders:
        raise StudyError(
            f"attack 'ta-{name}': torchattacks adapter knows {', '.join('ta-' + k for k in builders)}"
        )
    return builders[name]()


def adapter(name: str) -> Callable[..., torch.Tensor]:
    """A white-box attack of ours that runs torchattacks' `name` on a pixel-space model."""

    def run(
        forward: Callable[[torch.Tensor], torch.Tensor],
        x: torch.Tensor,
        y: torch.Tensor,
        cfg: AttackConfig,
        *,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        if not isinstance(forward, nn.Module):
            raise TypeError("torchattacks needs an nn.Module taking pixel images in [0,1]")
        if generator is not None:
            torch.manual_seed(
                int(torch.randint(0, 2**31 - 1, (1,), generator=generator, device=generator.device))
            )
        adv = _build(name, forward, cfg)(x, y).detach()
        # Minimum-norm attacks (CW, DeepFool) have no budget and FGSM/MIFGSM are L∞ only: projecting onto the
        # configured ball makes ε mean the same for every attack in the registry.
        return (x + project(adv - x, cfg.eps, cfg.norm)).clamp(0, 1)

    run.__doc__ = f"torchattacks {name} through the adapter."
    return run


ZOO = ("fgsm", "pgd", "cw", "apgd", "deepfool", "mifgsm", "square")

# The catalogue names these as "tltui.core.attacks.zoo:ta_<name>".
ta_fgsm = adapter("fgsm")
ta_pgd = adapter("pgd")
ta_cw = adapter("cw")
ta_apgd = adapter("apgd")
ta_deepfool = adapter("deepfool")
ta_mifgsm = adapter("mifgsm")
ta_square = adapter("square")
