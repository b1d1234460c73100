"""The teacher attack has its own budget and objective; the `remos` preset reproduces ReMoS's protocol."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from tests.studies import GOOD, study_files
from tltui.base.errors import StudyError
from tltui.base.study import TeacherAttackSpec, demo_study, load_study
from tltui.core.analysis import attack_config, teacher_config
from tltui.core.attacks import TEACHER_ATTACKS
from tltui.core.attacks.engine import AttackConfig, ascend


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    return study_files(tmp_path)


def with_teacher(d: Path, lines: str) -> Path:
    p = d / "study.toml"
    p.write_text(GOOD + "\n[attack.teacher]\n" + lines + "\n")
    return p


def test_without_a_teacher_table_the_white_box_budget_is_used_with_a_random_start() -> None:
    study = demo_study()
    assert study.attack.teacher == TeacherAttackSpec()
    assert teacher_config(study) == replace(attack_config(study), random_start=True)


def test_the_remos_preset_and_keys_over_it(study_dir: Path) -> None:
    study = load_study(with_teacher(study_dir, 'preset = "remos"'))
    t = study.attack.teacher
    assert (t.name, t.eps, t.alpha, t.steps, t.random_start, t.space) == (
        "remos",
        0.1,
        0.01,
        40,
        True,
        "normalized",
    )
    cfg = teacher_config(study)
    assert cfg.scale == study.data.std and cfg.norm == "linf" and cfg.steps == 40
    over = load_study(with_teacher(study_dir, 'preset = "remos"\nsteps = 5\nname = "feature"'))
    assert (over.attack.teacher.steps, over.attack.teacher.name, over.attack.teacher.eps) == (
        5,
        "feature",
        0.1,
    )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('preset = "madry"', "preset must be one of remos"),
        ('name = "nope"', "name (or [attack] teacher_attack) must be one of"),
        ('space = "logit"', "space must be 'pixel' or 'normalized'"),
        ("eps = 0", "eps must be > 0"),
        ("budget = 1", "unknown key 'budget' in [attack.teacher]"),
    ],
)
def test_bad_teacher_attack_keys_are_one_line_errors(study_dir: Path, lines: str, message: str) -> None:
    with pytest.raises(StudyError, match=message.replace("(", "\\(").replace(")", "\\)").replace("[", "\\[")):
        load_study(with_teacher(study_dir, lines))


def test_a_per_channel_budget_bounds_each_channel() -> None:
    x = torch.full((2, 3, 4, 4), 0.5)
    cfg = AttackConfig(eps=0.1, alpha=0.05, steps=5, random_start=True, scale=(0.2, 0.5, 1.0))
    adv = ascend(lambda xa: xa.sum(dim=(1, 2, 3)), x, cfg, generator=torch.Generator().manual_seed(0))
    reach = (adv - x).abs().amax(dim=(0, 2, 3))
    assert torch.allclose(reach, torch.tensor([0.02, 0.05, 0.1]), atol=1e-6)


def test_the_remos_objective_pulls_neuron_zero_up_and_the_rest_down() -> None:
    torch.manual_seed(0)
    lin = torch.nn.Linear(16, 6)

    def phi(x: torch.Tensor) -> torch.Tensor:
        return lin(x.flatten(1))

    x = torch.rand(8, 1, 4, 4)
    cfg = AttackConfig(eps=0.3, alpha=0.05, steps=20, random_start=True)
    adv = TEACHER_ATTACKS["remos"](phi, x, cfg, generator=torch.Generator().manual_seed(0))
    before, after = phi(x), phi(adv)
    assert (after[:, 0] > before[:, 0]).all()
    assert (adv - x).abs().max() <= 0.3 + 1e-6
