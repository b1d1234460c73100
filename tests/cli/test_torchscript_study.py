"""A study of TorchScript archives is analysed with the numbers of the same weights as Python models."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
import torch
import torchvision
from safetensors.torch import load_file

from tests.cli.test_analyze_user_study import make_study
from tests.faults.conftest import refused, tltui
from tests.quick import QUICK_ATTACK

pytestmark = pytest.mark.e2e


def script_study(root: Path) -> tuple[Path, Path]:
    """The user study as given (safetensors + torchvision arch) and the same weights as TorchScript archives."""
    eager = make_study(root)
    for name in ("teacher", "student"):
        net = torchvision.models.resnet18(num_classes=5)
        net.load_state_dict(load_file(str(root / f"{name}.safetensors")))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            torch.jit.save(torch.jit.script(net.eval()), str(root / f"{name}.ts"))
    text = eager.read_text()
    for name in ("teacher", "student"):
        text = text.replace(
            f'arch = "torchvision:resnet18"\nweights = "{name}.safetensors"', f'arch = "{name}.ts"'
        )
    scripted = root / "scripted.toml"
    scripted.write_text(text)
    return eager, scripted


def numbers(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary["variants"]["finetune"].items() if isinstance(v, (int, float))}


def test_torchscript_models_are_analysed_like_their_python_originals(tmp_path: Path) -> None:
    eager, scripted = script_study(tmp_path)
    ws = str(tmp_path / "ws")
    runs = {}
    for study in (eager, scripted):
        out = tmp_path / study.stem
        proc = tltui(
            "analyze", str(study), "--out", str(out), "--workspace", ws, "--trust-code", *QUICK_ATTACK
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        runs[study.stem] = json.loads((out / "summary.json").read_text())
    want, got = numbers(runs["study"]), numbers(runs["scripted"])
    assert {"aoi", "dir"} <= got.keys() and got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-6), key
    for level in ("features", "layers"):  # the levels that read layers through hooks were written
        assert (tmp_path / "scripted" / f"{level}.npz").is_file()


def test_a_torchscript_teacher_cannot_be_mitigated_from(tmp_path: Path) -> None:
    _, scripted = script_study(tmp_path)
    proc = tltui(
        "mitigate",
        str(scripted),
        "--method",
        "finetune",
        "--out",
        str(tmp_path / "o"),
        "--trust-code",
        "--workspace",
        str(tmp_path / "ws"),
    )
    refused(proc, "teacher is TorchScript", "file:<path.py>:<factory>")
