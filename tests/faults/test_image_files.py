"""Image files are read for what they mean: 16-bit scaled (not clipped), only regular files, a pixel cap."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def test_a_16_bit_png_is_scaled_not_clipped_to_white(tmp_path: Path) -> None:
    from tltui.core.datacache import Prep, decode

    path = tmp_path / "g.png"
    Image.fromarray(np.full((8, 8), 32768, dtype=np.uint16)).save(path)
    with Image.open(path) as im:
        assert im.mode.startswith("I")
    for channels in (1, 3):
        px = decode(path, Prep(8, channels))
        assert np.all(np.abs(px.astype(int) - 128) <= 1), px.ravel()[:4]


def test_a_fifo_named_like_an_image_is_refused_not_waited_on(tmp_path: Path) -> None:
    from tltui.base.errors import DataError
    from tltui.core.datacache import list_images

    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        Image.new("L", (4, 4)).save(tmp_path / cls / "0.png")
    os.mkfifo(tmp_path / "b" / "1.png")
    with pytest.raises(DataError, match=r"1\.png: not a regular file"):
        list_images(tmp_path, what="test")


def test_an_image_beyond_the_pixel_cap_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tltui.base.errors import DataError
    from tltui.core import datacache

    path = tmp_path / "bomb.png"
    Image.new("L", (40, 40)).save(path)
    monkeypatch.setattr(datacache, "MAX_PIXELS", 1000)
    with pytest.raises(DataError, match=r"bomb\.png: 40×40 pixels"):
        datacache.decode(path, datacache.Prep(8, 1))
    monkeypatch.setattr(
        Image, "MAX_IMAGE_PIXELS", 100
    )  # Pillow's own bomb check: also one line naming the file
    monkeypatch.setattr(datacache, "MAX_PIXELS", 10**9)
    with pytest.raises(DataError, match=r"bomb\.png"):
        datacache.decode(path, datacache.Prep(8, 1))


def test_a_data_cache_damaged_in_place_is_decoded_again(tmp_path: Path) -> None:
    from tltui.core.datacache import Prep, list_images, load_pixels

    rng = np.random.default_rng(0)
    for cls in ("a", "b"):
        (tmp_path / "d" / cls).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(rng.integers(1, 255, (8, 8), dtype=np.uint8)).save(
                tmp_path / "d" / cls / f"{i}.png"
            )
    _, files = list_images(tmp_path / "d", what="test")
    first, _ = load_pixels(tmp_path / "d", files, Prep(8, 1), tmp_path / "cache", what="test")
    expected = np.array(first)
    (entry,) = (tmp_path / "cache").glob("*.u8")
    entry.write_bytes(bytes(entry.stat().st_size))  # zeroed in place: the same size
    again, _ = load_pixels(tmp_path / "d", files, Prep(8, 1), tmp_path / "cache", what="test")
    assert np.array_equal(np.array(again), expected), "a zeroed cache was accepted on its size"
