"""Square's L∞ random search (Andriushchenko et al. 2020), batched and small: no gradients, only the model's outputs.

The flag `blackbox-beats-whitebox` needs only its core: stripes at ±ε to start, then each query sets one random
square window to a random corner of the ε box and keeps it where the margin falls. One window per query for the
whole batch (the reference draws one per image); the reference's schedule of window sizes, from p = 0.8."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

P_INIT = 0.8
SCHEDULE = (
    (10, 1),
    (50, 2),
    (200, 4),
    (500, 8),
    (1000, 16),
    (2000, 32),
    (4000, 64),
    (6000, 128),
    (8000, 256),
)


def window_share(i: int, queries: int) -> float:
    """The share of the image the i-th window covers: the reference's schedule over 10 000 queries, rescaled."""
    at = int(i / max(queries, 1) * 10_000)
    return P_INIT / next((d for bound, d in SCHEDULE if at <= bound), 512)


def margin(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The true class's output minus the largest other one (< 0: misclassified)."""
    z = f(x).float()
    own = z.gather(1, y[:, None]).squeeze(1)
    return own - z.scatter(1, y[:, None], float("-inf")).amax(dim=1)


@torch.no_grad()
def square_linf(
    f: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    queries: int,
    gen: torch.Generator,
) -> torch.Tensor:
    """Adversarial images within the L∞ ball `eps` of pixel images `x`, after at most `queries` model calls."""
    n, c, h, w = x.shape

    def signs(*shape: int) -> torch.Tensor:
        return (torch.randint(0, 2, shape, generator=gen) * 2 - 1).to(x)

    xa = (x + eps * signs(n, c, 1, w)).clamp(0, 1)
    best = margin(f, xa, y)
    for i in range(1, queries):
        live = torch.nonzero(best > 0).squeeze(1)
        if len(live) == 0:
            break
        s = min(max(1, round(math.sqrt(window_share(i, queries) * h * w))), h, w)
        r, k = (int(torch.randint(0, d - s + 1, (1,), generator=gen)) for d in (h, w))
        cand = xa[live].clone()
        cand[:, :, r : r + s, k : k + s] = (
            x[live, :, r : r + s, k : k + s] + eps * signs(len(live), c, 1, 1)
        ).clamp(0, 1)
        m = margin(f, cand, y[live])
        better = m < best[live]
        xa[live[better]] = cand[better]
        best[live[better]] = m[better]
    return xa
