"""scripts/byo_study.py builds a study tltui parses, with a teacher really trained on the source task."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import torchvision
from safetensors.torch import load_file

from tltui.base.study import load_study

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "byo_study.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("byo_study", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.e2e
def test_byo_study_parses_and_its_teacher_beats_chance(tmp_path: Path) -> None:
    byo = _script()
    path = byo.build(tmp_path, size=16, epochs=10, per_class=10, source_per_class=20)
    study = load_study(path)
    assert study.name == "digits-resnet18"
    assert [v.name for v in study.variants] == ["finetune", "scratch"]
    assert sorted(p.name for p in (tmp_path / "data" / "train").iterdir()) == [f"d{k}" for k in range(5, 10)]
    assert len(list((tmp_path / "data" / "test").rglob("*.png"))) == 5 * 3
    teacher = torchvision.models.resnet18(num_classes=5)
    teacher.load_state_dict(load_file(str(tmp_path / "teacher.safetensors")))
    assert byo.accuracy(teacher, tmp_path / "data" / "source_test") > 0.4
