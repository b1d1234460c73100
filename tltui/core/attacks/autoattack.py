"""The AutoAttack-grade preset: APGD-CE, APGD-T, FAB-T and Square in turn, each on the images still robust."""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.base.progress import Progress
from tltui.core.attacks.engine import project
from tltui.core.images import Images

ORDER = ("apgd-ce", "apgd-t", "fab-t", "square")
"""The order of AutoAttack `standard`: each attack runs only on the images every earlier one left robust."""
MIN_CLASSES_APGD_T = 4
"""APGD-T's targeted DLR loss reads the 3rd and 4th largest logits: fewer classes and it is skipped."""


@dataclass(frozen=True)
class AutoAttackPlan:
    """The preset's budget (fra31/auto-attack `standard` by default; the study's `aa_*` keys may lower it)."""

    eps: float
    norm: str = "linf"
    steps: int = 100
    restarts: int = 1
    targets: int = 9
    queries: int = 5000


class Counting(nn.Module):
    """The attacked model, counting the images it is asked about: the queries an attack really spent."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net
        self.images = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.images += int(x.shape[0])
        out: torch.Tensor = self.net(x)
        return out


def budget(plan: AutoAttackPlan, name: str, n_classes: int) -> dict[str, int]:
    """One attack's budget as recorded: iterations (or queries), restarts, targets, and `queries`, the most model
    calls (a forward, and a backward for the gradient attacks) it may spend per image."""
    targets = min(plan.targets, n_classes - 1)
    if name == "square":
        return {"iterations": plan.queries, "restarts": 1, "targets": 0, "queries": plan.queries}
    per_target = targets if name in ("apgd-t", "fab-t") else 1
    return {
        "iterations": plan.steps,
        "restarts": plan.restarts,
        "targets": per_target if name != "apgd-ce" else 0,
        "queries": plan.steps * plan.restarts * per_target,
    }


def _attack(name: str, model: nn.Module, plan: AutoAttackPlan, n_classes: int, seed: int) -> Any:
    import torchattacks as ta

    norm = "Linf" if plan.norm == "linf" else "L2"
    k = min(plan.targets, n_classes - 1) + 1  # torchattacks targets its n_classes − 1 runner-up classes
    common: dict[str, Any] = {"norm": norm, "eps": plan.eps, "seed": seed}
    if name == "apgd-ce":
        return ta.APGD(model, steps=plan.steps, n_restarts=plan.restarts, loss="ce", rho=0.75, **common)
    if name == "apgd-t":
        return ta.APGDT(model, steps=plan.steps, n_restarts=plan.restarts, n_classes=k, rho=0.75, **common)
    if name == "fab-t":
        return ta.FAB(
            model, steps=plan.steps, n_restarts=plan.restarts, multi_targeted=True, n_classes=k, **common
        )
    # The reference's Square: p_init 0.8, one restart, no rescaled schedule (torchattacks' default rescales it).
    return ta.Square(model, n_queries=plan.queries, n_restarts=1, p_init=0.8, resc_schedule=False, **common)


@dataclass
class AutoAttackResult:
    """Per image: right on the clean input, and still right after every attack (the worst case); per attack
    its budget, the accuracy left after it, what it spent and how long it took."""

    correct: np.ndarray
    robust: np.ndarray
    attacks: list[dict[str, Any]]


def evaluate(
    model: nn.Module,
    x: torch.Tensor | Images,
    y: torch.Tensor,
    plan: AutoAttackPlan,
    *,
    n_classes: int,
    device: torch.device,
    batch_size: int = 512,
    seed: int = 0,
) -> Generator[Progress, None, AutoAttackResult]:
    """AutoAttack `standard` on a pixel-space classifier `model` (inputs in [0, 1]): the images it gets right
    go through APGD-CE, then those still right through APGD-T, FAB-T and Square; every adversarial image is
    projected onto the ε ball and clipped to [0, 1] before it is judged."""
    images, labels = Images.of(x), y.cpu()
    model = model.to(device).eval()
    counted = Counting(model)
    correct = _right(model, images, labels, np.arange(len(images)), device, batch_size)
    robust = correct.copy()
    attacks: list[dict[str, Any]] = []
    for i, name in enumerate(ORDER):
        t0, left = time.perf_counter(), np.flatnonzero(robust)
        row: dict[str, Any] = {"name": name, **budget(plan, name, n_classes)}
        if name == "apgd-t" and n_classes < MIN_CLASSES_APGD_T:
            row["skipped"] = f"needs {MIN_CLASSES_APGD_T} classes or more"
        elif len(left):
            # The attacks' seeds are their own: what runs after them sees the global generator as it was.
            with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
                torch.manual_seed(seed + i)
                attack = _attack(name, counted, plan, n_classes, seed + i)
                for lo in range(0, len(left), batch_size):
                    idx = left[lo : lo + batch_size]
                    xb = images[idx].full().to(device)
                    yb = labels[idx].to(device)
                    adv = attack(xb, yb).detach()
                    adv = (xb + project(adv - xb, plan.eps, plan.norm)).clamp(0, 1)
                    with torch.no_grad():
                        robust[idx] &= (model(adv).argmax(1) == yb).cpu().numpy()  # not counted: the judge
                    done = i * 10 + 9 * min(lo + batch_size, len(left)) // len(left)
                    yield Progress("autoattack", done, 40, name)
        row["robust_acc"] = float(robust.mean()) if len(robust) else 0.0
        row["attacked"] = 0 if "skipped" in row else len(left)
        row["queries_spent"] = round(counted.images / len(left), 1) if len(left) else 0.0
        row["seconds"] = round(time.perf_counter() - t0, 3)
        counted.images = 0
        attacks.append(row)
        yield Progress("autoattack", (i + 1) * 10, 40, name)
    return AutoAttackResult(correct, robust, attacks)


def _right(
    model: nn.Module, images: Images, y: torch.Tensor, idx: np.ndarray, device: torch.device, bs: int
) -> np.ndarray:
    out = np.zeros(len(idx), dtype=bool)
    with torch.no_grad():
        for lo in range(0, len(idx), bs):
            sel = idx[lo : lo + bs]
            out[lo : lo + len(sel)] = (model(images[sel].full().to(device)).argmax(1).cpu() == y[sel]).numpy()
    return out
