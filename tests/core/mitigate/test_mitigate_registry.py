"""Every registered mitigation method: returns a student for the target task and never touches the teacher."""

from __future__ import annotations

import pytest
import torch

from tests.nets import row_split
from tltui.base.catalogue import MITIGATIONS
from tltui.base.catalogue.mitigation import FeatureParams, RemosParams
from tltui.base.progress import Progress, collect
from tltui.core.analysis import Analysis

METHODS = {name: entry.load() for name, entry in MITIGATIONS.items()}


def test_registry_names_every_method() -> None:
    assert set(METHODS) == {
        "remos",
        "seam",
        "finetune",
        "retrain",
        "magprune",
        "delta",
        "delta-simple",
        "renofeation",
        "reinit",
    }


@pytest.mark.parametrize("name", sorted(METHODS))
def test_method_yields_progress_returns_a_student_and_leaves_the_teacher_alone(
    name: str, tiny_an: Analysis
) -> None:
    teacher = tiny_an.teacher
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    entry = MITIGATIONS[name]
    own = {s.name for s in entry.specs()}
    extra = {"ratio": 0.1} if "ratio" in own else {}
    if name == "seam":  # its head and mask search read the validation split: two epochs each
        tiny_an.data.val = row_split(20, 2)
        extra = {"head_epochs": 2, "mask_epochs": 2}
    params = entry.build({"epochs": 1, **extra})
    steps, model = collect(METHODS[name](tiny_an, params))
    assert steps and all(isinstance(p, Progress) for p in steps)
    assert model is not teacher and not model.training
    x = tiny_an.data.test.x[:4]
    assert model(x).shape == (4, 5)
    assert teacher.state_dict().keys() == before.keys()
    assert all(torch.equal(teacher.state_dict()[k], v) for k, v in before.items())
    assert not teacher.training
    assert all(p.requires_grad for p in teacher.parameters())
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in teacher.modules())
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())


def test_params_from_json_lists_become_tuples() -> None:
    p = RemosParams(scope=["conv1"])  # type: ignore[arg-type]
    f = FeatureParams(stages=["conv1", "conv2"])  # type: ignore[arg-type]
    assert p.scope == ("conv1",) and f.stages == ("conv1", "conv2")
    assert hash(p) == hash(RemosParams(scope=("conv1",)))
    assert hash(f) == hash(FeatureParams(stages=("conv1", "conv2")))


def test_each_method_takes_exactly_its_own_parameters() -> None:
    shared = {"epochs", "lr", "seed", "seeds", "tune_baseline", "timeline", "keep_best"}
    assert {s.name for s in MITIGATIONS["finetune"].specs()} == shared
    assert {s.name for s in MITIGATIONS["delta-simple"].specs()} == {*shared, "stages", "feature_alpha"}
    assert {s.name for s in MITIGATIONS["delta"].specs()} == {
        *shared,
        "stages",
        "feature_alpha",
        "beta",
        "attention_batches",
        "probe_epochs",
    }
    assert "feature_alpha" in {s.name for s in MITIGATIONS["renofeation"].specs()}
    assert {s.name for s in MITIGATIONS["seam"].specs()} == {
        *shared,
        "prune_threshold",
        "mask_alpha",
        "mask_lr",
        "mask_head_lr",
        "mask_epochs",
        "head_epochs",
        "head_lr",
        "early_stop",
    }
    assert all(e.fields is None for e in MITIGATIONS.values())
