"""Stale temporary files of killed decodes, attacks, builds, mitigations and runs are removed by the next run that
takes their directory; a live process's temporary file stays."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from torch import nn

from tltui.base import outstage, rundir, tempfiles
from tltui.base.runfiles import save_json


@pytest.fixture(scope="module")
def pids() -> Iterator[tuple[int, int]]:
    """(the pid of a process that is gone, the pid of one that lives on while the tests run)."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield dead.pid, live.pid
    finally:
        live.kill()
        live.wait()


def plant(directory: Path, name: str, pids: tuple[int, int]) -> tuple[Path, Path]:
    """A temporary file of `name` written by a killed process, and one by a live process."""
    directory.mkdir(parents=True, exist_ok=True)
    dead, live = pids
    stale = directory / f".{name}{tempfiles.MARK}{dead}-abcd1234.tmp"
    busy = directory / f".{name}{tempfiles.MARK}{live}-wxyz5678.tmp"
    stale.write_bytes(b"half")
    busy.write_bytes(b"being written")
    return stale, busy


def test_the_names_say_their_writer(tmp_path: Path) -> None:
    save_json(tmp_path / "a.json", {})
    name = tempfiles.prefix("a.json") + "12345678.json"
    assert tempfiles.writer(name) is not None and tempfiles.writer("a.json") is None
    assert tempfiles.writer(".notes.txt.tltui-tmp-x-1") is None


def _out(d: Path) -> None:
    save_json(d / rundir.SUMMARY, {"format": 1})
    outstage.begin(d)


def _adv(d: Path) -> None:
    from tltui.core.advcache import AdvCache

    AdvCache(d)


def _models(d: Path) -> None:
    from tltui.core.models import save_weights

    save_weights(nn.Linear(2, 2), d / "teacher.safetensors")


def _data(d: Path) -> None:
    from tltui.core.datacache import Prep, list_images, load_pixels

    images = d.parent / "images"
    for cls in ("a", "b"):
        (images / cls).mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((8, 8), 7, dtype=np.uint8)).save(images / cls / "0.png")
    _, files = list_images(images, what="test")
    load_pixels(images, files, Prep(8, 1), d, what="test")


def _variants(d: Path) -> None:
    from tests.nets import SmallCNN
    from tltui.base.study import demo_study
    from tltui.base.workspace import derived_dir
    from tltui.core.derived import discard, stage_variant

    ws = d.parent.parent
    assert derived_dir(ws, demo_study()) == d
    discard(stage_variant(ws, demo_study(), "fresh", SmallCNN(seed=0), "smallcnn", {"kind": "mitigation"}))


def _profiles(d: Path) -> None:
    from tltui.core.mitigate import _profile_cache

    assert _profile_cache.path(d.parent, "k").parent == d
    _profile_cache.save(d.parent, "k", {"c": np.zeros(2)}, {"c": np.zeros(2)}, 1)


@pytest.mark.parametrize(
    ("where", "take"),
    [
        ("out", _out),
        ("adv", _adv),
        ("models", _models),
        ("cache", _data),
        ("variants/demo", _variants),
        ("profiles", _profiles),
    ],
)
def test_the_next_owner_removes_stale_temporary_files_and_keeps_a_live_ones(
    tmp_path: Path, pids: tuple[int, int], where: str, take: Callable[[Path], None]
) -> None:
    d = tmp_path / where
    stale, busy = plant(d, "x.npz" if where == "out" else "entry", pids)
    take(d)
    assert not stale.exists(), f"a killed process's temporary file stays in {where}/"
    assert busy.read_bytes() == b"being written"


def test_a_decode_served_from_the_cache_removes_a_killed_decodes_file(
    tmp_path: Path, pids: tuple[int, int]
) -> None:
    d = tmp_path / "cache"
    _data(d)  # decoded and cached
    stale, busy = plant(d, "entry", pids)
    _data(d)  # served from the cache: no decode, but the killed one's file goes all the same
    assert not stale.exists() and busy.exists()
