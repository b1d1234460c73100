"""Every registered treatment runs on a tiny analysis, returns a new model, and leaves the original untouched."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import torch

from tests.nets import body_checkpoint, tiny_analysis
from tltui.base.catalogue import TREATMENTS as ENTRIES
from tltui.base.catalogue.treatment import TreatParams
from tltui.base.errors import StudyError
from tltui.base.progress import Progress, collect, drain

TREATMENTS = {name: entry.load() for name, entry in ENTRIES.items()}


@pytest.mark.parametrize("name", sorted(TREATMENTS))
def test_treatment_returns_a_treated_copy(name: str, tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    original = an.variants["finetune"]
    before = copy.deepcopy(original.state_dict())
    ck = body_checkpoint(an, tmp_path)
    cls = ENTRIES[name].params
    assert cls is not None and issubclass(cls, TreatParams)
    wanted = {"epochs": 2, "lr": 1e-2, "n_per_class": 8, "checkpoints": (ck,)}
    params = cls(**{k: v for k, v in wanted.items() if k in {f.name for f in dataclasses.fields(cls)}})
    steps, treated = collect(TREATMENTS[name](an, params))
    assert steps and all(isinstance(p, Progress) for p in steps)
    assert treated is not original
    assert isinstance(treated, type(original))
    for k, v in original.state_dict().items():
        assert torch.equal(v, before[k]), f"{name} changed the original variant's {k}"
    changed = [k for k, v in treated.state_dict().items() if not torch.equal(v, before[k])]
    assert changed, f"{name} trained nothing"
    assert treated(torch.zeros(2, 1, 8, 8)).shape == (2, 3)


@pytest.mark.parametrize("name", sorted(TREATMENTS))
def test_unknown_variant_is_a_study_error(name: str, tmp_path: Path) -> None:
    with pytest.raises(StudyError, match="no variant named 'nope'"):
        drain(TREATMENTS[name](tiny_analysis(tmp_path), ENTRIES[name].build({"variant": "nope"})))


def test_the_analysis_batch_size_is_not_the_training_batch_size() -> None:
    from tltui.core.produce import method_params

    _, tp = method_params("treatment", {"method": "model-doctor", "batch_size": 512, "channel_alpha": 3.0})
    assert tp.train_batch_size == 64 and tp.channel_alpha == 3.0
