"""`job_params`: one conversion of flag or form text into a job's parameters, torch-free."""

from __future__ import annotations

import pytest

from tltui.base.catalogue import JOBS, MITIGATIONS, TREATMENTS
from tltui.base.errors import ParamError
from tltui.base.jobparams import job_params
from tltui.base.study import demo_study

LAYERS = [("conv1", "Conv2d"), ("conv2", "Conv2d"), ("fc", "Linear")]


def test_text_and_typed_values_give_the_same_job_parameters() -> None:
    study = demo_study()
    text = job_params(MITIGATIONS["remos"], {"ratio": "0.1", "scope": "conv2, conv1", "eps": "0.05"}, study)
    typed = job_params(MITIGATIONS["remos"], {"ratio": 0.1, "scope": ["conv2", "conv1"], "eps": 0.05}, study)
    assert text == typed
    assert text["method"] == "remos" and text["ratio"] == 0.1 and text["eps"] == 0.05
    assert "lr" not in text and "teacher_eps" not in text  # not given: the method's or the study's


def test_layers_come_back_in_network_order_and_unknown_ones_are_refused() -> None:
    got = job_params(MITIGATIONS["remos"], {"scope": "conv2,conv1"}, demo_study(), layers=LAYERS)
    assert got["scope"] == ["conv1", "conv2"]
    with pytest.raises(ParamError, match="--scope fc: not a conv layer"):
        job_params(MITIGATIONS["remos"], {"scope": "fc"}, demo_study(), layers=LAYERS)


def test_a_name_no_one_takes_is_refused_naming_the_method_s_parameters() -> None:
    with pytest.raises(ParamError, match="--ratio does not apply to fmt"):
        job_params(TREATMENTS["fmt"], {"ratio": "0.1"}, demo_study())
    with pytest.raises(ParamError, match="--ratio does not apply to analyze"):
        job_params(JOBS["analyze"], {"ratio": "0.1"}, demo_study())


def test_attack_values_are_checked_against_the_study() -> None:
    study = demo_study()
    assert job_params(
        JOBS["analyze"], {"eps": "0.05", "teacher_preset": "remos", "batch_size": ""}, study
    ) == {
        "eps": 0.05,
        "teacher_preset": "remos",
    }
    with pytest.raises(ParamError, match="--eps = 0: must be in"):
        job_params(JOBS["analyze"], {"eps": "0"}, study)
    with pytest.raises(ParamError, match=r"eps = 1\.5 with norm linf"):
        job_params(JOBS["analyze"], {"eps": "1.5"}, study)
    assert job_params(JOBS["analyze"], {"eps": "1.5", "norm": "l2"}, study)["eps"] == 1.5


def test_a_treatment_s_variant_is_checked_when_the_variants_are_known() -> None:
    with pytest.raises(ParamError, match="--variant 'nope'"):
        job_params(TREATMENTS["dare"], {"variant": "nope"}, demo_study(), variants=demo_study().names)
