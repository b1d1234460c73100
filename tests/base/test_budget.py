"""The budget an attack ran, and its one line as the CLI, the Overview, the report and exports show it."""

from __future__ import annotations

from tltui.base.budget import budget_record, budget_text, run_budget


def test_the_budget_line_names_attack_eps_steps_restarts_and_start() -> None:
    block = {"name": "pgd", "eps": 0.1, "alpha": 0.02, "steps": 10, "random_start": False, "norm": "linf"}
    assert (
        budget_text(block) == "pgd L∞ ε=0.1 α=0.02 · 10 steps · 1 restart · no random start"
    )  # an older run
    block["budget"] = run_budget("pgd", 10, False)
    assert budget_text(block) == "pgd L∞ ε=0.1 α=0.02 · 10 steps · 1 restart · no random start"
    assert budget_text(None) == "—"


def test_what_ran_is_recorded_where_it_differs_from_what_was_asked() -> None:
    square = {
        "name": "ta-square",
        "eps": 0.03,
        "alpha": 0.01,
        "steps": 10,
        "random_start": False,
        "norm": "linf",
    }
    square["budget"] = run_budget("ta-square", 10, False)
    assert budget_text(square) == "ta-square L∞ ε=0.03 · 100 queries · 1 restart · random start"
    assert run_budget("fgsm", 10, True) == {"steps": 1, "queries": None, "restarts": 1, "random_start": False}
    assert run_budget("ta-cw", 3, True)["steps"] == 10
    assert run_budget("feature", 5, False, teacher=True)["random_start"] is True
    assert run_budget("a-plugin-attack", 7, True) == {
        "steps": 7,
        "queries": None,
        "restarts": 1,
        "random_start": True,
    }
    teacher = {"name": "remos", "eps": 0.1, "alpha": 0.01, "steps": 40, "random_start": True, "norm": "linf"}
    assert budget_record(None, {**teacher, "space": "normalized"}) == {
        "white_box_attack": "—",
        "teacher_attack": "remos L∞ ε=0.1 (normalised units) α=0.01 · 40 steps · 1 restart · random start",
    }
