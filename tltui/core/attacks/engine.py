"""The projected-gradient loop every attack of ours shares: data stays on the device, no host sync per step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class AttackConfig:
    """Budget and schedule of a pixel-space attack (inputs in [0,1]), as the loop runs it.

    Derived, never written by hand from a study: `tltui.core.analysis.attack_config` and `teacher_config` make it
    from the study's `AttackParams` / `TeacherAttackParams` (the one description of these keys), resolving the
    teacher's empty keys and turning its `space = "normalized"` into `scale`."""

    eps: float
    alpha: float
    steps: int
    random_start: bool = False
    norm: str = "linf"
    """`linf` or `l2`."""
    scale: tuple[float, ...] | None = None
    """L∞ only: per-channel factors of `eps` and `alpha` (a budget set in normalised units: the std per channel)."""


def _l2(t: torch.Tensor) -> torch.Tensor:
    return t.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (t.dim() - 1)))


def project(delta: torch.Tensor, eps: float | torch.Tensor, norm: str) -> torch.Tensor:
    """Project a perturbation onto the ε-ball of the norm (a tensor ε: per-channel L∞ bounds)."""
    if isinstance(eps, torch.Tensor):
        return torch.maximum(torch.minimum(delta, eps), -eps)
    if norm == "linf":
        return delta.clamp(-eps, eps)
    factor = (eps / _l2(delta)).clamp(max=1.0)
    return delta * factor


def random_init(
    x: torch.Tensor, eps: float | torch.Tensor, norm: str, generator: torch.Generator | None
) -> torch.Tensor:
    """A uniform start in the L∞ ball, or a uniform-radius random direction in the L2 ball."""
    if norm == "linf":
        u = torch.rand(x.shape, generator=generator, device=x.device, dtype=torch.float32)
        return (u * 2 - 1) * eps
    d = torch.randn(x.shape, generator=generator, device=x.device, dtype=torch.float32)
    r = torch.rand((x.shape[0],), generator=generator, device=x.device).view(-1, *([1] * (x.dim() - 1)))
    return d / _l2(d) * r * eps


def _budget(cfg: AttackConfig, x: torch.Tensor) -> tuple[float | torch.Tensor, float | torch.Tensor]:
    """ε and α as scalars, or as (1, C, 1, …) tensors when the budget is per channel."""
    if cfg.scale is None:
        return cfg.eps, cfg.alpha
    if cfg.norm != "linf" or len(cfg.scale) != x.shape[1]:
        raise ValueError(f"a per-channel budget needs norm linf and {x.shape[1]} factors, got {cfg.scale}")
    s = torch.tensor(cfg.scale, dtype=torch.float32, device=x.device).view(1, -1, *([1] * (x.dim() - 2)))
    return cfg.eps * s, cfg.alpha * s


def ascend(
    objective: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    cfg: AttackConfig,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Maximise `objective(x_adv).sum()` by projected gradient steps within the ε-ball, x_adv in [0,1].

    The perturbation is kept in fp32 even when the model runs under bf16 autocast (CUDA), so small steps are not
    rounded away; nothing in the loop reads a value back to the host.
    """
    x = x.detach().float()
    if cfg.eps <= 0 or cfg.steps <= 0:
        return x.clone()
    eps, alpha = _budget(cfg, x)
    delta = random_init(x, eps, cfg.norm, generator) if cfg.random_start else torch.zeros_like(x)
    delta = (x + delta).clamp_(0, 1) - x
    use_amp = x.device.type == "cuda"
    for _ in range(cfg.steps):
        delta.requires_grad_(True)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
            loss = objective(x + delta).float().sum()
        (grad,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            step = grad.sign() if cfg.norm == "linf" else grad / _l2(grad)
            delta = project(delta + alpha * step, eps, cfg.norm)
            delta = (x + delta).clamp_(0, 1) - x
    return (x + delta).detach()
