"""ImageFolder loading: real images load right; empty, single-class and unreadable data are clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tltui.base.errors import DataError
from tltui.base.study import DataSpec
from tltui.core.data import load_digits_splits, load_imagefolder

SPEC = DataSpec(image_size=8, channels=1, mean=(0.5,), std=(0.5,))


def png(path: Path, value: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((8, 8), value, dtype=np.uint8)).save(path)


def test_imagefolder_loads_classes_in_order(tmp_path: Path) -> None:
    png(tmp_path / "b" / "1.png", 255)
    png(tmp_path / "a" / "1.png", 0)
    png(tmp_path / "a" / "2.png", 51)
    s = load_imagefolder(tmp_path, SPEC, what="test")
    assert s.classes == ["a", "b"]
    assert s.y.tolist() == [0, 0, 1]
    assert s.x.shape == (3, 1, 8, 8)
    assert s.x[1].mean().item() == pytest.approx(0.2)
    assert s.ids == ["a/1.png", "a/2.png", "b/1.png"]


def test_empty_dataset(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    with pytest.raises(DataError, match="no images found"):
        load_imagefolder(tmp_path, SPEC, what="train")


def test_single_class(tmp_path: Path) -> None:
    png(tmp_path / "only" / "1.png", 3)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="only one class \\('only'\\)"):
        load_imagefolder(tmp_path, SPEC, what="train")


def test_unreadable_image_is_named(tmp_path: Path) -> None:
    png(tmp_path / "a" / "1.png", 3)
    png(tmp_path / "b" / "1.png", 3)
    (tmp_path / "b" / "broken.png").write_bytes(b"not an image")
    with pytest.raises(DataError, match=r"cannot read image .*broken.png"):
        load_imagefolder(tmp_path, SPEC, what="test")


def test_digits_demo_splits_are_disjoint_tasks() -> None:
    s = load_digits_splits(16, seed=0)
    assert s.source_train.classes == ["0", "1", "2", "3", "4"]
    assert s.target_test.classes == ["5", "6", "7", "8", "9"]
    assert set(s.target_train.ids).isdisjoint(s.target_test.ids)
    assert set(s.source_train.ids).isdisjoint(s.target_train.ids)
    assert s.target_test.x.shape[1:] == (1, 16, 16)
    assert s.target_test.x.min().item() >= 0.0 and s.target_test.x.max().item() <= 1.0
    assert len(s.source_train) + len(s.source_test) + len(s.target_train) + len(s.target_test) == 1797
