"""On-demand jobs attack as the run they add to was attacked, whatever flags that run was started with."""

from __future__ import annotations

from tltui.base.study import demo_study, with_attack
from tltui.core.analysis import attack_config, teacher_config
from tltui.core.ondemand import recorded_attack
from tltui.core.pipeline import attack_blocks


def test_a_run_started_with_attack_flags_is_reproduced_from_its_summary() -> None:
    demo = demo_study()
    flagged = with_attack(demo, {"eps": 0.05, "steps": 3, "teacher_preset": "remos", "teacher_steps": 7})
    again = with_attack(demo, recorded_attack(*attack_blocks(flagged)))  # the blocks summary.json records
    assert attack_config(again) == attack_config(flagged) != attack_config(demo)
    assert teacher_config(again) == teacher_config(flagged) != teacher_config(demo)
    assert with_attack(demo, recorded_attack(None, None)) == demo  # an old summary without the blocks
