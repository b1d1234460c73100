"""The recorded budget of each torchattacks adapter is what tltui/core/attacks/zoo.py builds."""

from __future__ import annotations

import pytest
from torch import nn

from tltui.base.budget import RULES, run_budget
from tltui.core.attacks import ATTACKS
from tltui.core.attacks.engine import AttackConfig
from tltui.core.attacks.zoo import _build


@pytest.mark.parametrize("name", [n for n in ATTACKS if n.startswith("ta-")])
def test_a_torchattacks_budget_on_record_is_the_one_built(name: str) -> None:
    assert name in RULES
    built = _build(name.removeprefix("ta-"), nn.Linear(4, 2), AttackConfig(eps=0.1, alpha=0.02, steps=3))
    ran = run_budget(name, 3, False)
    if ran["queries"] is not None:
        assert built.n_queries == ran["queries"] and built.n_restarts == ran["restarts"]
    else:
        assert getattr(built, "steps", 1) == ran["steps"]
        assert getattr(built, "n_restarts", 1) == ran["restarts"]
    assert getattr(built, "random_start", ran["random_start"]) == ran["random_start"]
