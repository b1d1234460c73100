"""`reinit`: only the chosen layers leave the teacher's weights, drawn as the `reinit` intervention draws them."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from tltui.base.catalogue import MITIGATIONS
from tltui.base.catalogue.mitigation import ReinitParams
from tltui.base.errors import MitigateError
from tltui.base.progress import drain
from tltui.core.analysis import Analysis
from tltui.core.localise.intervene import intervened
from tltui.core.mitigate import reinit


@pytest.fixture
def untrained(monkeypatch: pytest.MonkeyPatch) -> None:
    """`fit` returns the student as it would start training."""

    def fit(_an: Analysis, model: torch.nn.Module, *_a: Any, **_k: Any) -> Any:
        yield from ()
        return model

    monkeypatch.setattr(reinit, "fit", fit)


def test_the_chosen_layers_alone_are_drawn_anew(tiny_an: Analysis, untrained: None) -> None:
    run = MITIGATIONS["reinit"].load()
    student = drain(run(tiny_an, ReinitParams(layers=("conv2",), seed=3)))
    teacher = tiny_an.teacher.state_dict()
    got = student.state_dict()
    assert torch.equal(got["conv1.weight"], teacher["conv1.weight"])
    assert not torch.equal(got["conv2.weight"], teacher["conv2.weight"])
    # the very draw the layer intervention measured at the same seed (docs/localise.md)
    drawn, changed = intervened(tiny_an.teacher, tiny_an.teacher, ["conv2"], "reinit", 3)
    assert changed == ["conv2"] and torch.equal(got["conv2.weight"], drawn.state_dict()["conv2.weight"])
    default = drain(run(tiny_an, ReinitParams(seed=3))).state_dict()  # no layers named: the last conv layer
    assert torch.equal(default["conv2.weight"], got["conv2.weight"])


def test_a_layer_the_model_lacks_is_refused(tiny_an: Analysis, untrained: None) -> None:
    with pytest.raises(MitigateError, match="reinit: --layers nope"):
        drain(MITIGATIONS["reinit"].load()(tiny_an, ReinitParams(layers=("nope",))))
    with pytest.raises(MitigateError, match="no conv or linear layer"):
        drain(MITIGATIONS["reinit"].load()(tiny_an, ReinitParams(layers=("relu",))))
