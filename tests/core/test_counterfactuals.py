"""A study declares FMT's attribute flip with [data] counterfactuals: each training image's flipped twin."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from tltui.base.errors import DataError
from tltui.base.progress import drain
from tltui.base.study import DataSpec
from tltui.core.data import Split, load_counterfactuals
from tltui.core.treat.fmt import counterfactual_pairs

SPEC = DataSpec(image_size=4, channels=1, mean=(0.5,), std=(0.5,))


def split() -> Split:
    x = torch.full((3, 1, 4, 4), 0.2)
    return Split(x=x, y=torch.tensor([0, 1, 1]), classes=["a", "b"], ids=["a/0.png", "b/1.png", "b/2.png"])


def write(root: Path, rel: str, value: int) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((4, 4), value, dtype=np.uint8), mode="L").save(root / rel)


def test_counterfactuals_pair_by_path_and_leave_out_missing_ones(tmp_path: Path) -> None:
    write(tmp_path, "a/0.png", 255)
    write(tmp_path, "b/2.png", 51)
    x_cf, have = load_counterfactuals(tmp_path, SPEC, split())
    assert have.tolist() == [True, False, True]
    assert torch.allclose(x_cf[0], torch.ones(1, 4, 4)) and torch.allclose(
        x_cf[2], torch.full((1, 4, 4), 0.2)
    )


def test_no_matching_counterfactual_is_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path, "a/other.png", 0)
    with pytest.raises(DataError, match="no image matches a training image's path"):
        load_counterfactuals(tmp_path, SPEC, split())


def test_fmt_pairs_come_from_the_declared_flips(tmp_path: Path) -> None:
    write(tmp_path, "b/1.png", 255)
    data = DataSpec(image_size=4, channels=1, mean=(0.5,), std=(0.5,), counterfactuals=tmp_path)
    an = SimpleNamespace(study=SimpleNamespace(data=data), data=SimpleNamespace(train=split()))
    x, x_cf = drain(counterfactual_pairs(an))  # type: ignore[arg-type]
    assert x.shape[0] == 1 and torch.allclose(x_cf.full(), torch.ones(1, 1, 4, 4))
