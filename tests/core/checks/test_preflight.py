"""Each pre-flight check fires on the tiny model that plants its misconfiguration, and on nothing clean."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch
from torch import nn

from tests.core.checks import planted
from tltui.base.catalogue.checks import CHECKS
from tltui.base.study import demo_study
from tltui.base.study_spec import ChecksSpec, Study
from tltui.core import models as M
from tltui.core.checks.context import CheckContext, Found, Probe
from tltui.core.data import Split, StudyData

FACTORY = Path(planted.__file__)
CLASSES = ["tl", "tr", "bl", "br"]


def study(std: float = 0.5, **checks: object) -> Study:
    s = demo_study()
    data = replace(s.data, image_size=8, mean=(0.5,), std=(std,))
    return replace(s, data=data, checks=ChecksSpec(**checks))  # type: ignore[arg-type]


def model(factory: str) -> nn.Module:
    """Built through the `file:` arch, as a study naming the factory would build it."""
    return M.build_arch(f"file:{FACTORY}:{factory}", 4, trust=True).eval()


def context(models: dict[str, nn.Module], s: Study | None = None) -> CheckContext:
    x, y = planted.images(64)
    split = Split(x, y, CLASSES, [str(i) for i in range(len(y))])
    probes = [Probe(name, m, x, y, CLASSES) for name, m in models.items()]
    s = s or study()
    return CheckContext(s, StudyData(None, split, None), probes, torch.device("cpu"), s.data.mean, s.data.std)


def found(check: str, ctx: CheckContext) -> list[Found]:
    return CHECKS[check].load()(ctx)


@pytest.mark.parametrize(
    ("check", "factory"),
    [
        ("randomised-forward", "dropout"),
        ("batch-dependence", "batchnorm_train"),
        ("probability-outputs", "softmax"),
        ("input-gradients", "stop_gradient"),
        ("clean-accuracy", "permuted"),
    ],
)
def test_the_named_check_fires_on_its_planted_model_only(check: str, factory: str) -> None:
    ctx = context({"clean": model("clean"), factory: model(factory)})
    assert [f.model for f in found(check, ctx)] == [factory]


def test_no_check_fires_on_the_clean_model() -> None:
    ctx = context({"teacher": model("clean"), "scratch": model("clean")})
    assert {name: found(name, ctx) for name in CHECKS} == {name: [] for name in CHECKS}


def test_batchnorm_in_training_mode_is_named_and_not_taken_for_randomness() -> None:
    ctx = context({"bn": model("batchnorm_train")})
    assert found("randomised-forward", ctx) == []
    (f,) = found("batch-dependence", ctx)
    assert "bn stay in training mode" in f.message


def test_a_wrong_std_is_named_as_the_cause() -> None:
    """The model reads inputs normalised with std 0.5; the study says 5: accuracy falls to chance."""
    (f,) = found("clean-accuracy", context({"scratch": model("clean")}, study(std=5.0)))
    assert "near chance" in f.message and "normalisation: with mean 0.5, std 0.5 it is 1.00" in f.message


def test_a_permuted_class_order_is_named_as_the_cause() -> None:
    (f,) = found("clean-accuracy", context({"scratch": model("permuted")}))
    assert "clean accuracy 0.00" in f.message and "class order" in f.message and "output 0→tr" in f.message


def test_accuracy_below_the_studys_expectation_fires() -> None:
    ctx = context({"scratch": model("clean")}, study(expect_accuracy=1.0))
    assert found("clean-accuracy", ctx) == []
    y = planted.images(64)[1]
    ctx.probes[0].y = (y + (torch.arange(64) % 4 == 0).long()) % 4  # a quarter of the labels wrong
    (f,) = found("clean-accuracy", ctx)
    assert "far below the study's expect_accuracy 1.00" in f.message


def test_weights_recording_other_preprocessing_fire(tmp_path: Path) -> None:
    path = tmp_path / "scratch.safetensors"
    M.save_weights(model("clean"), path, metadata={"std": "[0.25]", "classes": '["tr", "tl", "bl", "br"]'})
    s = study()
    s = replace(s, variants=(replace(s.variants[0], name="scratch", weights=path, build=None),))
    std, classes = found("preprocessing-mismatch", context({"scratch": model("clean")}, s))
    assert std.model == classes.model == "scratch"
    assert "std [0.25]" in std.message and "classes ['tr', 'tl'" in classes.message
