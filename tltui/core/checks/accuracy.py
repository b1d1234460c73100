"""Check `clean-accuracy`: accuracy near chance or below the study's expectation, probing the likely cause."""

from __future__ import annotations

import math

import numpy as np
import torch

from tltui.core.checks.context import CheckContext, Found, Probe, sample_of

MARGIN = 0.05
"""Above chance by three binomial standard errors of the sample, plus this: "near chance"."""
BELOW_EXPECTED = 0.10
"""`[checks] expect_accuracy` minus this: "far below the expectation"."""
BETTER = 0.20
"""A probe (another normalisation, another class order) that gains this much names the cause."""


def alternatives(mean: tuple[float, ...], std: tuple[float, ...]) -> dict[str, tuple[tuple[float, ...], ...]]:
    """Normalisations a model is often trained with instead: none, the study's applied twice, (0.5, 0.5),
    ImageNet's; each as (mean, std) per channel."""
    c = len(mean)
    found = {
        "no normalisation (mean 0, std 1)": ((0.0,) * c, (1.0,) * c),
        "the study's applied twice": (
            tuple(m + m * s for m, s in zip(mean, std, strict=True)),
            tuple(s * s for s in std),
        ),
        "mean 0.5, std 0.5": ((0.5,) * c, (0.5,) * c),
    }
    if c == 3:
        found["ImageNet's mean and std"] = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    return {k: v for k, v in found.items() if v != (tuple(mean), tuple(std))}


def permuted_accuracy(y: np.ndarray, pred: np.ndarray, k: int) -> tuple[float, list[int]]:
    """The accuracy with the head's outputs relabelled by the best one-to-one map onto the classes, and that map
    (output i → class map[i])."""
    from scipy.optimize import linear_sum_assignment

    conf = np.zeros((k, k), dtype=np.int64)
    np.add.at(conf, (pred, y), 1)
    rows, cols = linear_sum_assignment(-conf)
    return float(conf[rows, cols].sum()) / max(len(y), 1), [int(c) for c in cols]


PROBE = 256
"""Inputs the cause probes read (only once the check has fired)."""


def probe_inputs(ctx: CheckContext, p: Probe) -> tuple[torch.Tensor, np.ndarray]:
    """Labelled inputs for the cause probes: a seeded stratified sample of the model's split, else its probe's."""
    if p.split is None:
        assert p.y is not None
        return p.x, p.y.cpu().numpy()
    idx = sample_of(p.split.y, PROBE, ctx.study.seed)
    return p.split.images[idx].to(ctx.device), p.split.y[idx].numpy()


def causes(ctx: CheckContext, p: Probe, acc: float, k: int) -> str:
    """The likely cause, measured where a probe can tell, else the usual suspects named."""
    x, y = probe_inputs(ctx, p)
    acc = float(np.mean(ctx.logits(p, x).argmax(1).cpu().numpy() == y))
    best, name = acc, ""
    for label, (m, s) in alternatives(ctx.mean, ctx.std).items():
        a = float(np.mean(ctx.logits(p, x, mean=m, std=s).argmax(1).cpu().numpy() == y))
        if a > best:
            best, name = a, label
    if best >= acc + BETTER:
        return (
            f"normalisation: with {name} it is {best:.2f}; set [data] mean/std to what the model was trained "
            "with"
        )
    pred = ctx.logits(p, x).argmax(1).cpu().numpy()
    perm, mapping = permuted_accuracy(y, pred, k)
    if perm >= acc + BETTER:
        classes = p.classes or [str(i) for i in range(k)]
        moved = [f"output {i}→{classes[j]}" for i, j in enumerate(mapping) if i != j][:4]
        return (
            f"class order: with the head's outputs re-ordered ({', '.join(moved)}) it is {perm:.2f}; "
            "ImageFolder sorts the class folders by name, the head must follow that order"
        )
    size = ctx.study.data.image_size
    return (
        "likely causes: normalisation ([data] mean/std), class order (ImageFolder sorts the folders by name), "
        f"image size ([data] image_size = {size} against the size it was trained at), or an untrained model"
    )


def run(ctx: CheckContext) -> list[Found]:
    found = []
    expect = ctx.study.checks.expect_accuracy
    for p in ctx.probes:
        if p.y is None:
            continue
        if p.pred is not None and p.split is not None:
            pred, y = p.pred, p.split.y.numpy()
        else:
            pred, y = ctx.outputs(p).argmax(1).cpu().numpy(), p.y.cpu().numpy()
        n, acc = len(y), float(np.mean(pred == y))
        k = len(p.classes or []) or int(ctx.outputs(p).shape[1])
        chance = 1.0 / k
        near = chance + 3 * math.sqrt(chance * (1 - chance) / max(n, 1)) + MARGIN
        if acc <= near:
            why = f"clean accuracy {acc:.2f} on {n} inputs is at or near chance ({chance:.2f})"
        elif expect is not None and acc < expect - BELOW_EXPECTED:
            why = f"clean accuracy {acc:.2f} on {n} inputs is far below the study's expect_accuracy {expect:.2f}"
        else:
            continue
        found.append(Found(p.name, f"{why}; {causes(ctx, p, acc, k)}"))
    return found
