"""Each view's budget line names the attack that made its numbers, in budget_text's one format."""

from __future__ import annotations

from tltui.base.budget import budget_text
from tltui.base.rundir import RunSummary
from tltui.ui.model import budget_lines

ATTACK = {"name": "ta-square", "norm": "linf", "eps": 0.1, "alpha": 0.02, "steps": 10, "random_start": False}
TEACHER = {"name": "feature", "norm": "linf", "eps": 0.05, "alpha": 0.01, "steps": 7, "random_start": True}


def info() -> RunSummary:
    return RunSummary({"study": "s", "variants": {}, "attack": ATTACK, "teacher_attack": TEACHER})


def test_every_view_names_the_attack_behind_its_numbers() -> None:
    white, teacher = budget_text(ATTACK), budget_text(TEACHER)
    assert "10 steps" in white and "7 steps" in teacher  # the study's own budget, not the format's default
    for line in (
        budget_lines.overview(info()),
        budget_lines.instances(info()),
        budget_lines.comparison(info()),
    ):
        assert white in line and teacher in line
    for line in (budget_lines.layers(info()), budget_lines.features(info())):
        assert teacher in line and white not in line
    recorded = {**TEACHER, "steps": 3}  # interventions.json's own teacher attack wins over the run's
    assert budget_lines.interventions(info(), recorded).endswith(budget_text(recorded))
    assert budget_lines.layers(None).endswith("—")  # no run: no budget claimed
