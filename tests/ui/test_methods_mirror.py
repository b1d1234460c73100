"""The UI's copies of the job layer's method names and defaults (the UI may not import torch-bound modules)."""

from __future__ import annotations

from tltui.core.mitigate import METHODS, MitigateParams
from tltui.core.treat import TREATMENTS
from tltui.ui import methods


def test_method_names_match_the_jobs() -> None:
    assert set(methods.MITIGATION_METHODS) == set(METHODS)
    assert set(methods.TREATMENT_METHODS) == set(TREATMENTS)


def test_control_defaults_match_the_parameters() -> None:
    assert MitigateParams().ratio == methods.DEFAULT_RATIO
    assert MitigateParams().threshold == methods.DEFAULT_THRESHOLD
