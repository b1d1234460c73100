"""The AutoAttack preset: its recorded budgets, and its robust accuracy against ART's APGD and Square (parity)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from torch import nn

from tltui.base.progress import drain
from tltui.core.attacks.autoattack import AutoAttackPlan, budget, evaluate

EPS = 0.1
CLASSES = 5
SPREAD = 0.3
STEPS = 80
TOLERANCE = 0.03
"""Parity: our robust accuracy within 3 points (6 of 200 images) of ART's, per stage and overall."""


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny ops: thread hand-offs cost more than the work (5× on two busy cores)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def blobs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Five overlapping classes of 1×8×8 images in [0, 1]: each a fixed random template plus noise."""
    g = torch.Generator().manual_seed(0)
    templates = torch.rand(CLASSES, 1, 8, 8, generator=g)
    g.manual_seed(seed)
    y = torch.randint(0, CLASSES, (n,), generator=g)
    x = (0.3 + 0.4 * templates[y] + SPREAD * torch.randn(n, 1, 8, 8, generator=g)).clamp(0, 1)
    return x, y


def robustish() -> nn.Module:
    """A tiny MLP trained for 80 full-batch steps with L∞ PGD (ε 0.1, 3 steps, random start), seeds fixed."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, CLASSES))
    opt = torch.optim.Adam(net.parameters(), 1e-2)
    x, y = blobs(600, seed=1)
    for _ in range(STEPS):
        delta = (torch.rand(x.shape) * 2 - 1) * EPS
        for _ in range(3):
            delta.requires_grad_(True)
            loss = nn.functional.cross_entropy(net((x + delta).clamp(0, 1)), y)
            (grad,) = torch.autograd.grad(loss, delta)
            delta = (delta.detach() + 0.04 * grad.sign()).clamp(-EPS, EPS)
        opt.zero_grad()
        nn.functional.cross_entropy(net((x + delta).clamp(0, 1)), y).backward()
        opt.step()
    return net.eval()


def test_each_attack_records_its_budget() -> None:
    plan = AutoAttackPlan(eps=0.1)
    assert budget(plan, "apgd-ce", 10) == {"iterations": 100, "restarts": 1, "targets": 0, "queries": 100}
    assert budget(plan, "apgd-t", 10)["queries"] == 900 and budget(plan, "fab-t", 5)["targets"] == 4
    assert budget(plan, "square", 10) == {"iterations": 5000, "restarts": 1, "targets": 0, "queries": 5000}


def test_apgd_t_is_skipped_below_four_classes() -> None:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 3)).eval()
    x = torch.rand(8, 1, 8, 8)
    y = net(x).argmax(1)
    plan = AutoAttackPlan(eps=0.01, steps=2, targets=2, queries=5)
    result = drain(evaluate(net, x, y, plan, n_classes=3, device=torch.device("cpu")))
    rows = {r["name"]: r for r in result.attacks}
    assert "skipped" in rows["apgd-t"] and rows["apgd-t"]["attacked"] == 0 < rows["fab-t"]["attacked"]
    assert result.correct.all() and (result.robust <= result.correct).all()


def test_robust_accuracy_matches_art_within_tolerance() -> None:
    """ART 1.20's APGD-CE, APGD with the targeted DLR loss on the runner-up classes, and Square, each at our
    budget, worst case per image: the same robust accuracy as our preset to within TOLERANCE."""
    art_classification = pytest.importorskip("art.estimators.classification")
    art_evasion = pytest.importorskip("art.attacks.evasion")
    net = robustish()
    x, y = blobs(200, seed=2)
    plan = AutoAttackPlan(eps=EPS, steps=20, targets=2, queries=100)
    ours = drain(evaluate(net, x, y, plan, n_classes=CLASSES, device=torch.device("cpu"), seed=0))
    after = {r["name"]: r["robust_acc"] for r in ours.attacks}

    clf = art_classification.PyTorchClassifier(
        net, nn.CrossEntropyLoss(), input_shape=(1, 8, 8), nb_classes=CLASSES, clip_values=(0.0, 1.0)
    )
    xs, ys = x.numpy(), y.numpy()
    logits = clf.predict(xs)
    robust = logits.argmax(1) == ys
    # Robust-ish: the attacks leave some but not all images right, so the parity means something.
    assert robust.mean() > 0.8 and 0.1 < after["square"] < 0.5, (robust.mean(), after)

    def apgd(loss: str, targets: np.ndarray | None) -> np.ndarray:
        attack = art_evasion.AutoProjectedGradientDescent(
            clf, norm=np.inf, eps=EPS, eps_step=2 * EPS, max_iter=plan.steps, targeted=targets is not None,
            nb_random_init=1, batch_size=256, loss_type=loss, verbose=False,
        )  # fmt: skip
        labels = ys if targets is None else np.eye(CLASSES)[targets]
        return clf.predict(attack.generate(xs, labels)).argmax(1) == ys

    robust &= apgd("cross_entropy", None)
    assert abs(robust.mean() - after["apgd-ce"]) <= TOLERANCE
    for k in range(2, plan.targets + 2):
        robust &= apgd("difference_logits_ratio", logits.argsort(1)[:, -k])
    square = art_evasion.SquareAttack(
        clf,
        norm=np.inf,
        eps=EPS,
        max_iter=plan.queries,
        p_init=0.8,
        nb_restarts=1,
        batch_size=256,
        verbose=False,
    )
    robust &= clf.predict(square.generate(xs, ys)).argmax(1) == ys
    assert abs(robust.mean() - after["square"]) <= TOLERANCE, (robust.mean(), after)
