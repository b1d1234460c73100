"""Every analysis leaves no hook behind and restores train/eval mode, also when the model raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from tests.nets import Exploding, SmallCNN, hook_count
from tltui.core.levels import features, instances, layers, overall

X = torch.randn(4, 1, 6, 6)

CALLS: dict[str, Callable[[nn.Module], Any]] = {
    "cka_matrix": lambda m: overall.cka_matrix({"a": m}, X, {"a": ["conv"]}),
    "penultimate_features": lambda m: instances.penultimate_features(m, X, "fc"),
    "input_saliency": lambda m: features.input_saliency(m, X, target=0),
    "grad_cam": lambda m: features.grad_cam(m, X, "conv", target=0),
    "channel_grad_scores": lambda m: features.channel_grad_scores(m, X, [0] * 4, "conv"),
    "model_doctor_map": lambda m: features.model_doctor_map(m, X, np.zeros(4, int), "conv"),
    "channel_activations": lambda m: features.channel_activations(m, X, "conv"),
    "neuron_coverage": lambda m: layers.neuron_coverage(m, X, ["conv", "conv2"]),
    "adversarial_deviation": lambda m: layers.adversarial_deviation(m, X, X + 0.1, ["conv"]),
    "neuron_distance_matrix": lambda m: layers.neuron_distance_matrix(m, m, X, "conv"),
    "layer_window": lambda m: layers.layer_window(m, X[0], ["conv", "conv2"]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("training", [True, False])
def test_errors_leave_no_hooks_and_keep_mode(name: str, training: bool) -> None:
    model = Exploding().train(training)
    with pytest.raises(RuntimeError, match="boom"):
        CALLS[name](model)
    assert hook_count(model) == 0
    assert model.training is training
    assert all(m.training is training for m in model.modules())


def test_successful_calls_leave_no_hooks_and_keep_mode() -> None:
    model = SmallCNN().train()
    x = torch.randn(3, 1, 8, 8)
    overall.cka_matrix({"a": model}, x, {"a": ["conv1", "fc"]})
    features.grad_cam(model, x, "conv2")
    features.model_doctor_map(model, x, [0, 1, 2], "conv2")
    layers.neuron_coverage(model, x)
    layers.layer_window(model, x[0], ["conv1", "conv2"], k=2)
    layers.adversarial_deviation(model, x, x + 0.1)
    layers.neuron_distance_matrix(model, model, x, "conv1")
    instances.logits_features(model, x, "fc")
    assert hook_count(model) == 0
    assert model.training
    assert torch.is_grad_enabled()
    assert all(p.grad is None for p in model.parameters())
