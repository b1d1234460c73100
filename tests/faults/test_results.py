"""Results are atomic: an unfinished run never reads as finished, and a failed re-run keeps the earlier variant."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest
from torch import nn

from tests.faults.conftest import refused, tltui
from tests.quick import QUICK_ATTACK
from tltui.base import rundir
from tltui.base.errors import WriteError
from tltui.base.runfiles import save_json, save_npz
from tltui.core.models import save_weights

PLUGINS = Path(__file__).resolve().parent / "plugins"
BOOM = {
    "TLTUI_PLUGINS": "boom",
    "PYTHONPATH": os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")]),
}


def test_begin_run_keeps_a_finished_run_and_clears_an_unfinished_one(tmp_path: Path) -> None:
    from tltui.base.outlock import release_out
    from tltui.base.outstage import STAGING
    from tltui.core.pipeline import begin_run

    out = tmp_path / "out"
    save_json(out / rundir.SUMMARY, {"format": 1})
    old = (rundir.SUMMARY, rundir.details_name(3), rundir.tsne_name("teacher"), "mine.txt")
    for name in (*old[1:], ".summary.json.x1y2.json"):
        (out / name).write_text("old")
    assert begin_run(out, tmp_path / "ws") == out / STAGING  # finished: it stays until the new run finishes
    assert sorted(p.name for p in out.iterdir()) == sorted([*old, STAGING])  # a stale temporary file went
    release_out(tmp_path / "ws", out)
    (out / STAGING).rmdir()
    (out / rundir.SUMMARY).unlink()
    assert begin_run(out, tmp_path / "ws") == out
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]  # unfinished: only what is not tltui's stays


@pytest.mark.e2e
def test_a_run_without_summary_is_not_opened(tmp_path: Path) -> None:
    out = tmp_path / "half"
    save_npz(out / rundir.INSTANCES, y=np.zeros(3))  # level files written, summary.json not yet
    refused(
        tltui("open", "demo", "--run", str(out), "--workspace", str(tmp_path / "ws")),
        str(out),
        "summary.json",
    )


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_failed_write_names_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    def full(*args: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", full)
    writes = (
        lambda p: save_json(p, {"a": 1}),
        lambda p: save_npz(p, a=np.zeros(3)),
        lambda p: save_weights(nn.Linear(2, 2), p),
    )
    for write in writes:
        target = tmp_path / "out" / "summary.json"
        with pytest.raises(WriteError) as info:
            write(target)
        assert str(target) in info.value.msg and os.strerror(code) in info.value.msg
    assert [p.name for p in (tmp_path / "out").iterdir()] == []  # no temporary file left behind


def test_a_full_disk_inside_safetensors_names_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import safetensors.torch
    from safetensors import SafetensorError

    def full(*args: object, **kwargs: object) -> None:
        raise SafetensorError("Error while serializing: IoError(No space left on device (os error 28))")

    monkeypatch.setattr(safetensors.torch, "save_file", full)
    target = tmp_path / "models" / "finetune.safetensors"
    with pytest.raises(WriteError) as info:
        save_weights(nn.Linear(2, 2), target)
    assert str(target) in info.value.msg and "No space left" in info.value.msg
    assert list(target.parent.iterdir()) == []  # no temporary file left behind


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.e2e
def test_a_failed_re_run_keeps_the_earlier_variant(demo_ws: Path, tmp_path: Path) -> None:
    common = ("--device", "cpu", "--workspace", str(demo_ws), *QUICK_ATTACK)
    first = tmp_path / "first"
    proc = tltui(
        "mitigate",
        "demo",
        "--method",
        "finetune",
        "--epochs",
        "1",
        "--name",
        "keep",
        "--out",
        str(first),
        *common,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    weights = demo_ws / "variants" / "demo" / "keep.safetensors"
    before = digest(weights)
    again = tmp_path / "again"
    proc = tltui(
        "mitigate", "demo", "--method", "boom", "--name", "keep", "--out", str(again), *common, env=BOOM
    )
    refused(proc, "boom: this method always fails")
    assert digest(weights) == before
    assert sorted(p.name for p in weights.parent.iterdir()) == [
        "keep.json",
        "keep.safetensors",
    ]  # no staged file
    assert not (again / rundir.SUMMARY).exists()
    later = tmp_path / "later"
    proc = tltui("analyze", "demo", "--out", str(later), *common)
    assert proc.returncode == 0, proc.stderr[-3000:]
    kept = json.loads((later / rundir.SUMMARY).read_text())["variants"]["keep"]
    assert kept == json.loads((first / rundir.SUMMARY).read_text())["variants"]["keep"]
