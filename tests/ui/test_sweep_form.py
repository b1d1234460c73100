"""The Mitigate tab's sweep row as a `sweep` job (tltui.ui.model.sweepform): the form's values over the lr grid."""

from __future__ import annotations

import pytest

from tltui.base.errors import ParamError
from tltui.ui.model.sweepform import DEFAULT_SEEDS, sweep_params


def test_the_form_becomes_a_sweep_job_with_seeds_enough_for_a_verdict() -> None:
    job = sweep_params({"method": "remos", "ratio": 0.05, "seeds": 1}, "0.005, 0.01,0.05")
    assert job["sweep"] == {"lr": [0.005, 0.01, 0.05]} and job["family"] == "mitigation"
    assert job["ratio"] == 0.05 and job["seeds"] == DEFAULT_SEEDS == 3
    assert sweep_params({"method": "remos", "seeds": 5}, "0.01,0.02")["seeds"] == 5


@pytest.mark.parametrize(
    ("method", "values", "says"),
    [
        ("finetune", "0.01,0.02", "baseline itself"),
        ("remos", "0.01", "two learning rates"),
        ("remos", "x", "lr"),
    ],
)
def test_what_cannot_be_swept_is_one_line(method: str, values: str, says: str) -> None:
    with pytest.raises(ParamError, match=says):
        sweep_params({"method": method}, values)
