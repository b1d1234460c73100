"""Teacher-only attacks on the teacher's own classifier (the DIR ladder's upper rungs): PGD and APGD on its logits."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from tltui.core.attacks.engine import AttackConfig, ascend, project


def _ranked(forward: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The teacher's classes per image, most likely first, on the clean input (no label is needed)."""
    with torch.no_grad():
        return forward(x.float()).float().argsort(dim=1, descending=True)


def pgd(
    forward: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    cfg: AttackConfig,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Untargeted: maximise the teacher's cross-entropy of its own clean prediction."""
    top = _ranked(forward, x)[:, 0]
    return ascend(lambda xa: F.cross_entropy(forward(xa), top, reduction="none"), x, cfg, generator=generator)


def pgd_targeted(
    forward: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    cfg: AttackConfig,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Targeted: minimise the teacher's cross-entropy of its runner-up class on the clean input."""
    second = _ranked(forward, x)[:, 1]
    return ascend(
        lambda xa: -F.cross_entropy(forward(xa), second, reduction="none"), x, cfg, generator=generator
    )


def apgd(
    forward: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    cfg: AttackConfig,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """torchattacks' APGD-CE (`cfg.steps` iterations, one restart) on the teacher's own clean prediction; a
    per-channel budget is taken at its smallest channel (APGD has one ε), so the result stays inside the ball."""
    import torchattacks as ta

    if not isinstance(forward, nn.Module):
        raise TypeError("APGD needs the teacher as an nn.Module taking pixel images in [0,1]")
    eps = cfg.eps * min(cfg.scale) if cfg.scale is not None else cfg.eps
    seed = 0
    if generator is not None:
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator, device=generator.device))
    norm = "Linf" if cfg.norm == "linf" else "L2"
    attack = ta.APGD(forward, norm=norm, eps=eps, steps=cfg.steps, n_restarts=1, loss="ce", seed=seed)
    top = _ranked(forward, x)[:, 0]
    adv = attack(x.float(), top).detach()
    return (x + project(adv - x, eps, cfg.norm)).clamp(0, 1)
