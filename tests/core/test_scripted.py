"""TorchScript models read like their eager originals: same logits, layer outputs, head inputs and input gradients."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import pytest
import torch
import torchvision
from torch import nn

from tltui.base.errors import StudyError
from tltui.core.evaluate import PixelModel
from tltui.core.hooks import capture, logits_and_features
from tltui.core.models import DigitsNet, head_name, last_conv, layer_names, load_torchscript
from tltui.core.scripted import ScriptedNet, is_scripted


def scripted_copy(model: nn.Module, tmp_path: Path) -> nn.Module:
    """Save `model` as a TorchScript archive and load it the way a study does."""
    path = tmp_path / "model.ts"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.jit.save(torch.jit.script(model), str(path))
    return load_torchscript(path)


ARCHS = {
    "digitsnet": (lambda: DigitsNet(5), (3, 1, 16, 16)),
    "resnet18": (lambda: torchvision.models.resnet18(num_classes=5), (2, 3, 32, 32)),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(num_classes=5), (2, 3, 32, 32)),
    "shufflenet_v2": (lambda: torchvision.models.shufflenet_v2_x0_5(num_classes=5), (2, 3, 32, 32)),
    "squeezenet": (lambda: torchvision.models.squeezenet1_1(num_classes=5), (2, 3, 64, 64)),
}


@pytest.mark.parametrize("arch", list(ARCHS))
def test_every_layer_reads_as_in_the_eager_model(arch: str, tmp_path: Path) -> None:
    make, shape = ARCHS[arch]
    torch.manual_seed(0)
    eager = make().eval()
    scripted = scripted_copy(eager, tmp_path).eval()
    assert isinstance(scripted, ScriptedNet) and is_scripted(PixelModel(scripted, (0.5,), (0.5,)))
    names = layer_names(eager)
    assert layer_names(scripted) == names and last_conv(scripted) == last_conv(eager)
    assert scripted.state_dict().keys() == eager.state_dict().keys()
    x = torch.rand(*shape)
    with torch.no_grad(), capture(eager, names) as want, capture(scripted, names) as got:
        ref, out = eager(x), scripted(x)
    torch.testing.assert_close(out, ref)
    assert got.keys() == want.keys()
    for name in names:
        torch.testing.assert_close(got[name], want[name], msg=name)


def test_head_inputs_and_input_gradients_match(tmp_path: Path) -> None:
    torch.manual_seed(0)
    eager = torchvision.models.resnet18(num_classes=5).eval()
    scripted = scripted_copy(eager, tmp_path).eval()
    assert head_name(scripted) == "fc"
    grads = []
    for model in (eager, scripted):
        x = torch.rand(2, 3, 32, 32, requires_grad=True)
        with torch.no_grad():
            x.copy_(torch.linspace(0, 1, x.numel()).view_as(x))
        logits, feats = logits_and_features(model, x, "fc")
        assert feats.shape == (2, 512)
        (feats.square().sum() + logits.sum()).backward()
        grads.append(x.grad)
    torch.testing.assert_close(grads[1], grads[0])


def test_moves_copies_and_loaded_weights_reach_the_script(tmp_path: Path) -> None:
    torch.manual_seed(0)
    eager = DigitsNet(5).eval()
    scripted = scripted_copy(eager, tmp_path).eval()
    x = torch.rand(2, 1, 16, 16)
    with torch.no_grad(), capture(scripted, ["conv4"]):
        scripted(x)  # freezes a graph holding the present weights
    other = DigitsNet(5).eval()
    scripted.load_state_dict(other.state_dict())
    doubled = copy.deepcopy(scripted).to(torch.float64)
    with torch.no_grad(), capture(other, ["conv4"]) as want, capture(doubled, ["conv4"]) as got:
        ref, out = other(x), doubled(x.double())
    assert out.dtype == torch.float64 and got["conv4"].dtype == torch.float64
    torch.testing.assert_close(out.float(), ref)
    torch.testing.assert_close(got["conv4"].float(), want["conv4"])


def test_changing_a_scripted_layer_is_refused_not_ignored(tmp_path: Path) -> None:
    scripted = scripted_copy(DigitsNet(5), tmp_path).eval()
    handle = scripted.get_submodule("conv2").register_forward_hook(lambda _m, _a, out: out * 0)
    try:
        with pytest.raises(StudyError, match="TorchScript: tltui analyses such models but cannot change"):
            scripted(torch.rand(2, 1, 16, 16))
    finally:
        handle.remove()
