"""On-demand jobs attack as the run they add to was attacked, whatever flags that run was started with."""

from __future__ import annotations

from dataclasses import asdict

from tltui.base.study import demo_study, with_attack
from tltui.core.analysis import attack_config, teacher_config
from tltui.core.ondemand import recorded_attack


def _recorded(study):  # type: ignore[no-untyped-def]
    """The blocks as the pipeline writes them into summary.json."""
    a, t = study.attack, study.attack.teacher
    attack = {"name": a.name, "eps": a.eps, "alpha": a.alpha, "steps": a.steps}
    attack.update(random_start=a.random_start, norm=a.norm)
    teacher = {"name": t.name, "preset": t.preset, "space": t.space, **asdict(teacher_config(study))}
    return {"attack": attack, "teacher_attack": teacher}


def test_a_run_started_with_attack_flags_is_reproduced_from_its_summary() -> None:
    demo = demo_study()
    flagged = with_attack(demo, {"eps": 0.05, "steps": 3, "teacher_preset": "remos", "teacher_steps": 7})
    again = with_attack(demo, recorded_attack(_recorded(flagged)))
    assert attack_config(again) == attack_config(flagged) != attack_config(demo)
    assert teacher_config(again) == teacher_config(flagged) != teacher_config(demo)
    assert with_attack(demo, recorded_attack({})) == demo  # an old summary without the blocks
