"""Every way a study TOML can be wrong gives one StudyError naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.studies import GOOD, study_files
from tltui.base.errors import StudyError
from tltui.base.study import demo_study, load_study


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    return study_files(tmp_path)


def write(d: Path, text: str) -> Path:
    p = d / "study.toml"
    p.write_text(text)
    return p


def test_good_study_parses(study_dir: Path) -> None:
    s = load_study(write(study_dir, GOOD))
    assert s.name == "s" and s.data.channels == 1 and s.variants[0].build == "finetune"
    assert s.data.train == (study_dir / "train").resolve()
    assert s.attack.eps == 0.1 and s.attack.steps == 5


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('name = "s"', 'name = "s"\ncolour = 1'), "unknown key 'colour' in [study]"),
        (lambda t: t.replace("image_size = 16", "image_size = 16\nsize = 3"), "unknown key 'size' in [data]"),
        (
            lambda t: t.replace("image_size = 16", 'image_size = "16"'),
            "[data] image_size must be int, got str",
        ),
        (lambda t: t.replace("steps = 5", "steps = 2.5"), "[attack] steps must be int, got float"),
        (lambda t: t.replace('test = "test"', 'test = "nope"'), "[data] test = 'nope': directory not found"),
        (
            lambda t: t.replace('weights = "t.safetensors"', 'weights = "x.pt"'),
            "[teacher] weights = 'x.pt': file not found",
        ),
        (lambda t: t.replace('test = "test"\n', ""), "[data] is missing the required key 'test'"),
        (
            lambda t: t.replace('build = "finetune"', 'build = "magic"'),
            "build must be one of scratch, probe, finetune",
        ),
        (lambda t: t.replace('build = "finetune"\n', ""), "needs weights"),
        (lambda t: t.replace("mean = [0.5]", "mean = [0.5, 0.5]"), "[data] mean needs 1 values"),
        (lambda t: t.replace("channels = 1", "channels = 2"), "[data] channels must be 1 or 3"),
        (
            lambda t: t.replace("num_classes = 5\n[attack]", "num_classes = 1\n[attack]"),
            "num_classes must be at least 2",
        ),
        (
            lambda t: t.replace('arch = "tltui:digitsnet"\nweights', 'arch = "resnet"\nweights'),
            "arch = 'resnet'",
        ),
        (lambda t: t.split("[[variants]]")[0], "needs at least one [[variants]] table"),
        (
            lambda t: (
                t + '[[variants]]\nname = "ft"\nbuild = "probe"\narch = "tltui:digitsnet"\nnum_classes = 5\n'
            ),
            "variant names must be unique",
        ),
        (lambda t: t.replace("[data]", "data = 3\n[datax]"), "unknown key 'datax'"),
        (lambda t: t + "\n[[[", "not valid TOML"),
    ],
)
def test_study_errors_name_file_and_key(study_dir: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    path = write(study_dir, edit(GOOD))
    with pytest.raises(StudyError) as info:
        load_study(path)
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def test_missing_study_file(tmp_path: Path) -> None:
    with pytest.raises(StudyError, match="study file not found"):
        load_study(tmp_path / "none.toml")


def test_demo_is_builtin() -> None:
    s = demo_study()
    assert load_study("demo") == s
    assert s.names == ["scratch", "probe", "finetune"] and s.is_demo


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("steps = 5", "steps = 1000000000"),
            "[attack] steps must be ≤ 10000, got 1000000000",
        ),
        (lambda t: t.replace("eps = 0.1", "eps = 1.5"), "[attack] eps = 1.5 with norm linf: must be ≤ 1"),
        (lambda t: t.replace("eps = 0.1", 'eps = 1.5\nnorm = "l1"'), "[attack] norm must be 'linf' or 'l2'"),
        (lambda t: t.replace("steps = 5", 'steps = 5\nname = "nosuch"'), "[attack] name must be one of pgd"),
        (lambda t: t + "[attack.teacher]\nsteps = 0\n", "[attack.teacher] steps must be ≥ 1, got 0"),
    ],
)
def test_attack_keys_are_checked_by_their_catalogue_specs(study_dir: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StudyError) as info:
        load_study(write(study_dir, edit(GOOD)))
    assert message in str(info.value) and "study.toml" in str(info.value) and "\n" not in str(info.value)


def test_an_l2_budget_may_exceed_one(study_dir: Path) -> None:
    s = load_study(write(study_dir, GOOD.replace("eps = 0.1", 'eps = 3.0\nnorm = "l2"')))
    assert s.attack.eps == 3.0 and s.attack.norm == "l2"
