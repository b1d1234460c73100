"""A produced variant replaced while an analysis loads it: the analysis uses one file's weights and record together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from tltui.base.progress import drain
from tltui.base.study import demo_study
from tltui.core.analysis import Analysis
from tltui.core.build import ModelStore
from tltui.core.data import StudyData, load_digits_splits
from tltui.core.derived import commit, derived_variants, stage_variant
from tltui.core.models import DigitsNet


def produce(ws: Path, seed: int, method: str) -> None:
    torch.manual_seed(seed)
    staged = stage_variant(ws, demo_study(), "mine", DigitsNet(5), "tltui:digitsnet", {"method": method})
    commit(staged)


def test_a_variant_replaced_after_listing_loads_with_its_own_record(tmp_path: Path) -> None:
    study = demo_study()
    produce(tmp_path, 1, "first")
    [(spec, listed)] = derived_variants(tmp_path, study)
    assert listed["method"] == "first"
    produce(tmp_path, 2, "second")  # a re-run of the same name commits between the listing and the load

    an = Analysis(study, tmp_path, torch.device("cpu"))
    splits = load_digits_splits(16)
    an.data = StudyData(train=None, test=splits.target_test, source_test=None)
    an.store = ModelStore(study, an.data, tmp_path, an.device)
    an.teacher = DigitsNet(5)
    drain(an.add_variant(spec, listed))

    torch.manual_seed(2)
    want: dict[str, Any] = DigitsNet(5).state_dict()
    got = an.variants["mine"].state_dict()
    assert all(torch.equal(got[k], want[k]) for k in want), "weights of the second run"
    assert an.derived["mine"]["method"] == "second", "and the record of the same file"
