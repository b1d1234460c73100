"""Inputs that mean something wrong are refused in one line (exit 2) naming what and where; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.conftest import refused, tltui
from tests.studies import GOOD, study_files

BIG = "1" + "0" * 400
"""An integer TOML reads exactly and no float can hold."""


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
        ("std = [0.5]", f"std = [{BIG}]", ["std", "64-bit"]),
        ("image_size = 16", f"image_size = -{BIG}", ["image_size", "64-bit"]),
        ('train = "train"', 'train = "tr\\u0000ain"', ["train", "NUL"]),
        ('weights = "t.safetensors"', 'weights = "t\\u0000.safetensors"', ["weights", "NUL"]),
        ("std = [0.5]", "std = [1e-320]", ["std", "0.001"]),
        ("std = [0.5]", "std = [1e9]", ["std", "1000"]),
    ],
)
def test_absurd_study_values_are_refused_naming_the_key(
    tmp_path: Path, old: str, new: str, needles: list[str]
) -> None:
    study = study_files(tmp_path) / "study.toml"
    study.write_text(GOOD.replace(old, new))
    refused(
        tltui("analyze", str(study), "--out", str(tmp_path / "o"), "--workspace", str(tmp_path / "ws")),
        *needles,
    )
    assert not (tmp_path / "ws" / "runs").exists(), "a job started"


def test_a_bad_plugin_is_one_line_naming_the_module(tmp_path: Path) -> None:
    proc = tltui(
        "jobs", "list", "--workspace", str(tmp_path / "ws"), env={"TLTUI_PLUGINS": "no_such_plugin_mod"}
    )
    refused(proc, "TLTUI_PLUGINS", "no_such_plugin_mod")


def test_an_explicitly_empty_name_is_refused(tmp_path: Path) -> None:
    from tltui.base.errors import ParamError
    from tltui.base.names import check_name, produced_name

    with pytest.raises(ParamError, match="--name"):
        check_name(produced_name("", "finetune", 0, []), "--name", ParamError)
    assert produced_name(None, "finetune", 0, []) == "finetune"


def test_integer_weights_for_float_parameters_are_refused_naming_the_tensor() -> None:
    import torch

    from tltui.base.errors import CheckpointError
    from tltui.core.models import DigitsNet, load_state_dict

    net = DigitsNet(5)
    state = {k: v.clone() for k, v in net.state_dict().items()}
    state["fc.weight"] = torch.ones_like(state["fc.weight"], dtype=torch.int32)
    with pytest.raises(CheckpointError, match=r"w\.safetensors: .*wrong dtype fc\.weight int32 for float32"):
        load_state_dict(net, state, source="w.safetensors")


@pytest.mark.parametrize("text", ["[1, 2]", '{"layers": 3}', "{not json", '"x"'])
def test_a_malformed_earlier_summary_is_skipped_when_checking_layer_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    from types import SimpleNamespace

    from tltui.base.study import load_study
    from tltui.commands import common

    study = study_files(tmp_path) / "study.toml"
    study.write_text(GOOD.replace('arch = "tltui:digitsnet"', 'arch = "torchvision:resnet18"', 1))
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "summary.json").write_text(text)
    job = SimpleNamespace(study="s", kind="analyze")
    monkeypatch.setattr(common.api, "list_jobs", lambda *a, **k: [job])
    monkeypatch.setattr(common.rundir, "job_results", lambda j: tmp_path / "run")
    assert common.known_layers(load_study(study), tmp_path / "ws") is None


def test_a_traced_torchvision_model_loads_as_a_torchscript_variant(tmp_path: Path) -> None:
    import torch
    import torchvision
    from torch import nn

    from tltui.core.models import build_arch, last_conv, layer_names

    net = torchvision.models.resnet18(num_classes=5).eval()
    torch.jit.save(torch.jit.trace(net, torch.zeros(1, 3, 32, 32)), str(tmp_path / "net.ts"))
    model = build_arch("net.ts", 5, base_dir=tmp_path, trust=True)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 5)
    assert last_conv(model) and layer_names(model)
    assert isinstance(model.get_submodule("fc"), nn.Linear) and model.get_submodule("fc").out_features == 5


@pytest.mark.parametrize("device", ["gpu", "cuda:x", "cuda:-1"])
def test_a_misspelt_device_is_refused_before_any_job(tmp_path: Path, device: str) -> None:
    ws = tmp_path / "ws"
    refused(
        tltui("analyze", "demo", "--out", str(tmp_path / "o"), "--device", device, "--workspace", str(ws)),
        "--device",
    )
    assert not (ws / "runs").exists(), "a job was submitted"
