"""Names of the mitigation and treatment methods the jobs accept (DESIGN §4), for controls and the palette."""

from __future__ import annotations

MITIGATION_METHODS: dict[str, str] = {
    "remos": "ReMoS: slice the weights irrelevant to the target, then fine-tune",
    "finetune": "fine-tune all layers from the teacher (baseline)",
    "retrain": "re-initialise and train (baseline)",
    "magprune": "global magnitude pruning, then fine-tune (baseline)",
    "delta": "fine-tune with feature-map distance to the frozen teacher (baseline)",
    "renofeation": "re-initialise + feature distillation with spatial dropout (baseline)",
}

TREATMENT_METHODS: dict[str, str] = {
    "model-doctor": "Model Doctor: channel-constraint fine-tuning from the diagnosis map",
    "dare": "Dare: isomorphic-regression repair of a slice",
    "fmt": "FMT: fairness repair on counterfactual pairs",
}

COVERAGE_CRITERIA: tuple[str, ...] = ("neuron", "topk")

DEFAULT_RATIO = 0.03
"""ReMoS slicing ratio the controls start at (MitigateParams.ratio: 0.1 costs the 4-conv demo 9 points)."""
DEFAULT_THRESHOLD = 0.5
"""ReMoS coverage threshold θ the controls start at (MitigateParams.threshold)."""
