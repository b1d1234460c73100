"""Checkpoints load weights-only or from safetensors; code-running pickles are refused; mismatches are named."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import torch
from torch import nn

from tltui.base.errors import CheckpointError, StudyError
from tltui.core.models import DigitsNet, build_arch, load_state_dict, read_state_dict, save_weights


class Exploit:
    """Unpickling this runs code: it would create a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_code_running_pickle_is_refused_without_running(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    ckpt = tmp_path / "evil.pt"
    torch.save(
        {"w": torch.zeros(1), "payload": Exploit(marker)}, ckpt, pickle_protocol=pickle.HIGHEST_PROTOCOL
    )
    with pytest.raises(CheckpointError, match=r"refused.*--trust-code"):
        read_state_dict(ckpt)
    assert not marker.exists()


def test_trust_flag_allows_a_full_pickle(tmp_path: Path) -> None:
    ckpt = tmp_path / "model.pt"
    torch.save(DigitsNet(5), ckpt)  # a whole pickled module, not a state_dict
    with pytest.raises(CheckpointError, match="refused"):
        read_state_dict(ckpt)
    state = read_state_dict(ckpt, trust=True)
    assert "fc.weight" in state


def test_state_dict_pt_and_safetensors_round_trip(tmp_path: Path) -> None:
    torch.manual_seed(0)
    net = DigitsNet(5)
    torch.save(net.state_dict(), tmp_path / "w.pth")
    save_weights(net, tmp_path / "w.safetensors")
    for name in ("w.pth", "w.safetensors"):
        other = DigitsNet(5)
        load_state_dict(other, read_state_dict(tmp_path / name), source=name)
        assert torch.equal(other.fc.weight, net.fc.weight)


def test_mismatched_state_dict_names_keys(tmp_path: Path) -> None:
    state = DigitsNet(10).state_dict()
    state.pop("conv1.bias")
    state["extra.weight"] = torch.zeros(1)
    with pytest.raises(CheckpointError) as info:
        load_state_dict(DigitsNet(5), state, source="w.pt")
    msg = str(info.value)
    assert "missing conv1.bias" in msg
    assert "unexpected extra.weight" in msg
    assert "mis-shaped fc.weight (10, 64)≠(5, 64)" in msg


def test_garbage_and_missing_checkpoints(tmp_path: Path) -> None:
    (tmp_path / "junk.pt").write_bytes(b"\x00garbage")
    with pytest.raises(CheckpointError, match="not a readable torch checkpoint"):
        read_state_dict(tmp_path / "junk.pt")
    (tmp_path / "junk.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(CheckpointError, match="not a valid safetensors file"):
        read_state_dict(tmp_path / "junk.safetensors")
    with pytest.raises(CheckpointError, match="not found"):
        read_state_dict(tmp_path / "none.pt")


def test_arch_specs(tmp_path: Path) -> None:
    assert isinstance(build_arch("torchvision:resnet18", 7).fc, nn.Linear)
    (tmp_path / "m.py").write_text(
        "import torch\ndef build(num_classes):\n    return torch.nn.Linear(4, num_classes)\n"
    )
    assert build_arch("file:m.py:build", 3, base_dir=tmp_path, trust=True).out_features == 3
    scripted = torch.jit.script(DigitsNet(5))
    torch.jit.save(scripted, str(tmp_path / "net.ts"))
    assert build_arch("net.ts", 5, base_dir=tmp_path, trust=True)(torch.zeros(1, 1, 16, 16)).shape == (1, 5)
    for code in ("file:m.py:build", "net.ts"):  # both run the file's code: refused without the trust flag
        with pytest.raises(StudyError, match="--trust-code"):
            build_arch(code, 3, base_dir=tmp_path)
    with pytest.raises(StudyError, match="has no model 'nonet'"):
        build_arch("torchvision:nonet", 3)
    with pytest.raises(StudyError, match="has no function 'nope'"):
        build_arch("file:m.py:nope", 3, base_dir=tmp_path, trust=True)
