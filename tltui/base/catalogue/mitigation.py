"""Mitigation methods (docs/mitigation.md): ReMoS slicing and its baselines, with their parameters."""

from __future__ import annotations

from dataclasses import dataclass

from tltui.base.catalogue.entry import Entry
from tltui.base.catalogue.params import fraction, param

CRITERIA = ("neuron", "topk")


@dataclass(frozen=True)
class MitigateParams:
    """Settings for one mitigation run; each method takes the fields its catalogue entry lists."""

    ratio: float = fraction(0.03, label="ratio", help="fraction of the in-scope conv weights to cut")
    """0.03–0.1 typical; 0.03 on the demo because its small net loses 8 AOI points at 0.1 (62 % of conv2 cut)."""
    threshold: float = fraction(
        0.5,
        label="coverage θ",
        help="a channel is covered by an image when its min–max scaled mean exceeds θ",
        hi_open=False,
    )
    criterion: str = param(
        "neuron", label="criterion", help="coverage criterion of the teacher profile", choices=CRITERIA
    )
    topk: int = param(3, label="top-k", help="top-k coverage: the k most active channels of a layer", lo=1)
    scope: tuple[str, ...] | None = param(
        None, label="layer scope", help="conv layers that may be cut (empty: every conv layer)", layers="conv"
    )
    epochs: int | None = param(None, label="epochs", help="training epochs (empty: the recipe's)", lo=0)
    lr: float | None = param(
        None, label="lr", help="body learning rate (empty: the recipe's)", lo=0.0, lo_open=True
    )
    """The head's rate keeps its ratio to the body's."""
    seed: int = param(0, label="seed", help="seeds the new head, re-initialisation and training order", lo=0)
    seeds: int = param(
        1,
        label="seeds",
        help="runs at seed, seed+1, …, each beside its same-seed finetune baseline",
        lo=1,
        hi=50,
    )
    base: str = "finetune"
    """The variant (or build recipe) whose recipe and head size the student mirrors."""
    stages: tuple[str, ...] | None = param(
        None,
        label="stages",
        help="modules whose outputs are matched to the teacher's (empty: ResNet layer1…4, else every conv)",
        layers="any",
    )
    delta_alpha: float = param(
        0.1, label="DELTA α", help="weight of the feature MSE to the frozen teacher", lo=0.0
    )
    """Scale it to the features: the demo's raw conv outputs reach a mean square of 73 (α = 1 destabilises)."""
    renofeation_alpha: float = param(
        0.1, label="distill α", help="weight of the feature-distillation loss", lo=0.0
    )
    """Renofeation's 5.0 is for batch-normed ResNet stages; the demo's raw conv features are far larger."""
    renofeation_dropout: float = fraction(
        0.1, label="dropout", help="spatial dropout on the feature maps entering each stage"
    )

    def __post_init__(self) -> None:
        # JSON job parameters carry lists; keep the dataclass hashable
        for name in ("scope", "stages"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


TRAIN = ("epochs", "lr", "seed", "seeds")


def _method(name: str, help: str, fields: tuple[str, ...]) -> Entry:
    baseline = None if name == "finetune" else "finetune"  # same recipe and seed, nothing removed
    return Entry(
        name, help, f"tltui.core.mitigate.{name}:run", MitigateParams, fields + TRAIN, baseline=baseline
    )


MITIGATIONS: dict[str, Entry] = {
    "remos": _method(
        "remos",
        "ReMoS: slice the weights irrelevant to the target, then fine-tune",
        ("ratio", "threshold", "criterion", "topk", "scope"),
    ),
    "finetune": _method("finetune", "fine-tune all layers from the teacher (baseline)", ()),
    "retrain": _method("retrain", "re-initialise and train (baseline)", ()),
    "magprune": _method(
        "magprune", "global magnitude pruning, then fine-tune (baseline)", ("ratio", "scope")
    ),
    "delta": _method(
        "delta",
        "fine-tune with feature-map distance to the frozen teacher (baseline)",
        ("stages", "delta_alpha"),
    ),
    "renofeation": _method(
        "renofeation",
        "re-initialise + feature distillation with spatial dropout (baseline)",
        ("stages", "renofeation_alpha", "renofeation_dropout"),
    ),
}
"""Method name -> entry; `target` is its `run(an, params) -> Generator[Progress, None, nn.Module]`."""
