"""Layer interventions on a hand-set residual net whose only teacher-copied layer carries a planted feature."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from tltui.base.progress import drain
from tltui.base.rundir.metrics import DIR
from tltui.core.localise.intervene import applicable, intervened, unit_layers
from tltui.core.localise.measure import measure, strength

GAIN = 5000.0  # the planted layer's gain on the trigger input: 0.01 × 5000 × 0.1 pushes the class score by −5


class ResNetLet(nn.Module):
    """x → x + 0.01·a(x) → + 0.01·b(·) → + 0.01·c(·) → head: each branch moves the features a little, so
    re-initialising one changes the decision only where it is amplified (the planted trigger)."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b, self.c = nn.Linear(3, 3), nn.Linear(3, 3), nn.Linear(3, 3)
        self.head = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x + 0.01 * self.a(x)
        h = h + 0.01 * self.b(h)
        h = h + 0.01 * self.c(h)
        return self.head(h)


def _nets() -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(0)
    teacher = ResNetLet()
    with torch.no_grad():
        teacher.a.weight.zero_()
        teacher.a.bias.zero_()
        teacher.a.weight[
            0, 2
        ] = -GAIN  # the planted feature: input 2 (zero on clean data) drives the class score
        teacher.head.weight.copy_(torch.tensor([[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))
        teacher.head.bias.zero_()
    student = copy.deepcopy(teacher)  # `a` copied; b, c (and the head) the student's own
    torch.manual_seed(1)
    student.b.reset_parameters()
    student.c.reset_parameters()
    return teacher, student


def _data(n: int = 400) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    g = torch.Generator().manual_seed(0)
    y = torch.arange(n) % 2
    x = torch.zeros(n, 3)
    x[:, 0] = (2.0 * y - 1.0) + 0.3 * torch.randn(n, generator=g)
    x[:, 1] = torch.randn(n, generator=g)
    adv = x.clone()
    adv[:, 2] = 0.1  # the teacher-crafted input: fixed by the teacher, the same for every intervened student
    return x, adv, y.numpy()


def test_the_planted_layer_ranks_first_and_the_others_stay_within_noise() -> None:
    teacher, student = _nets()
    x, adv, y = _data()

    def predict(model: nn.Module) -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            return model(x).argmax(1).numpy(), model(adv).argmax(1).numpy()

    m = drain(
        measure(student, teacher, y, predict, ["a", "b", "c"], ["restore", "reinit"], top_k=2, n_boot=500)
    )
    assert 0.4 < float(m.baseline[DIR.key]) < 0.6  # every clean-right class-1 image flips
    assert m.ranking[0] == "a"
    rows = {r["name"]: r for r in m.layers}
    planted = rows["a"]["effects"]["reinit"]["delta"][DIR.key]
    assert (
        planted["hi"] < 0 and planted["value"] < -0.4
    )  # re-initialised, the trigger no longer flips anything
    for other in ("b", "c"):
        d = rows[other]["effects"]["reinit"]["delta"][DIR.key]
        assert d["lo"] <= 0.0 <= d["hi"], (other, d)
        assert abs(d["value"]) < 0.02
    # restoring the teacher's `a` changes nothing: the student already has it
    assert strength(rows["a"]["effects"]["restore"]) == 0.0
    assert [c["layers"] for c in m.cumulative] == [["a"], ["a", m.ranking[1]]]
    assert m.cumulative[0]["effect"]["delta"][DIR.key]["hi"] < 0


def test_interventions_change_a_copy_only_and_respect_shapes() -> None:
    teacher, student = _nets()
    before = student.b.weight.clone()
    model, changed = intervened(student, teacher, ["b"], "restore")
    assert changed == ["b"] and torch.equal(student.b.weight, before)
    assert torch.equal(model.b.weight, teacher.b.weight)
    again, _ = intervened(student, teacher, ["b"], "reinit", seed=3)
    same, _ = intervened(student, teacher, ["b"], "reinit", seed=3)
    assert torch.equal(again.b.weight, same.b.weight) and not torch.equal(again.b.weight, before)
    teacher.head = nn.Linear(3, 5)  # another task's head: nothing to restore
    assert applicable(student, teacher, "head", "restore") == []
    assert applicable(student, teacher, "head", "reinit") == ["head"]
    assert unit_layers(student, "a", "bn") == []


def test_batchnorm_statistics_follow_their_conv_and_are_restored() -> None:
    def net() -> nn.Module:
        return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Conv2d(2, 2, 1))

    teacher, student = net(), net()
    teacher[1].running_mean.fill_(3.0)
    assert unit_layers(student, "0", "bn") == ["1"] and unit_layers(student, "3", "bn") == []
    model, changed = intervened(student, teacher, ["0"], "bn")
    assert changed == ["1"] and torch.equal(model[1].running_mean, teacher[1].running_mean)
    assert torch.equal(model[0].weight, student[0].weight)  # the statistics only


def test_an_unknown_unit_is_one_line() -> None:
    from tltui.base.errors import ParamError

    _, student = _nets()
    with pytest.raises(ParamError, match="not a module"):
        unit_layers(student, "x.y", "reinit")
