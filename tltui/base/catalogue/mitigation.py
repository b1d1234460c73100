"""Mitigation methods (docs/mitigation.md): ReMoS slicing and its baselines, each with its own parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tltui.base.catalogue.entry import Entry
from tltui.base.catalogue.params import fraction, param
from tltui.base.catalogue.training import TrainParams, check_timeline, keep_best_param, timeline_param

CRITERIA = ("neuron", "topk")


@dataclass(frozen=True)
class MitigateParams(TrainParams):
    """What every mitigation takes (finetune and retrain take nothing more)."""

    TRAILING: ClassVar[tuple[str, ...]] = (*TrainParams.TRAILING, "timeline", "keep_best")

    base: str = "finetune"
    """The variant (or build recipe) whose recipe and head size the student mirrors."""
    timeline: int = timeline_param()
    keep_best: bool = keep_best_param()
    recipe: str | None = None
    """The build recipe whose schedule this run trains with, over `base`'s: the recipe of its comparison (a method
    that re-initialises trains on `scratch`, and so does its matched baseline; tltui.core.produce sets it)."""
    source: str | None = None
    """A later stage of a chain (tltui.base.stack): the variant whose weights and head the student starts from,
    instead of the teacher's with a new head (the chain sets it per seed)."""

    @property
    def start(self) -> str:
        return self.source or self.base

    def __post_init__(self) -> None:
        # JSON job parameters carry lists; keep the dataclass hashable
        for name in ("scope", "stages", "layers"):
            value = getattr(self, name, None)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        check_timeline(self.timeline, self.keep_best)


def _ratio() -> Any:
    return fraction(0.03, label="ratio", help="fraction of the in-scope conv weights to cut")


def _scope() -> Any:
    return param(
        None, label="layer scope", help="conv layers that may be cut (empty: every conv layer)", layers="conv"
    )


@dataclass(frozen=True)
class PruneParams(MitigateParams):
    """Magnitude pruning: a cut of conv weights by size, then fine-tuning."""

    ratio: float = _ratio()
    """0.03–0.1 typical; 0.03 on the demo because its small net loses 8 AOI points at 0.1 (62 % of conv2 cut)."""
    scope: tuple[str, ...] | None = _scope()


@dataclass(frozen=True)
class RemosParams(MitigateParams):
    """ReMoS: the cut chosen by the teacher's coverage on the target data, then fine-tuning."""

    ratio: float = _ratio()
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
    scope: tuple[str, ...] | None = _scope()


@dataclass(frozen=True)
class ReinitParams(MitigateParams):
    """Re-initialise chosen layers of the teacher-initialised student, then fine-tune on the finetune recipe."""

    layers: tuple[str, ...] | None = param(
        None,
        label="layers",
        help="layers or blocks re-initialised before fine-tuning (a block: every conv and linear layer in it), "
        "e.g. the top layers `tltui localise` ranked; empty: the last conv layer",
        layers="any",
    )


@dataclass(frozen=True)
class FeatureParams(MitigateParams):
    """Training with a loss on feature maps against the frozen teacher: delta-simple takes exactly these."""

    stages: tuple[str, ...] | None = param(
        None,
        label="stages",
        help="modules whose outputs are matched to the teacher's (empty: ResNet layer1…4, else every conv)",
        layers="any",
    )
    feature_alpha: float = param(
        0.1,
        label="feature α",
        help="weight of the feature loss to the frozen teacher (delta-simple: feature-map MSE; Renofeation: "
        "distillation); old flags --delta-alpha, --renofeation-alpha",
        lo=0.0,
    )
    """Scale it to the features: the demo's raw conv outputs reach a mean square of 73 (α = 1 destabilises);
    Renofeation's 5.0 is for batch-normed ResNet stages."""


def _beta() -> Any:
    return param(
        0.01,
        label="β",
        help="weight of the L2 penalty β·½‖w‖² on the classifier (DELTA: the new head; Renofeation: every Linear), "
        "as both references (0 switches it off)",
        lo=0.0,
    )


@dataclass(frozen=True)
class DeltaParams(FeatureParams):
    """DELTA as published: the teacher-attention-weighted feature-map distance plus the β penalty on the head."""

    stages: tuple[str, ...] | None = param(
        None,
        label="stages",
        help="modules whose outputs are matched to the teacher's (empty: the last conv of each ResNet stage, "
        "else every conv)",
        layers="any",
    )
    feature_alpha: float = param(
        1e-4,
        label="feature α",
        help="weight α of DELTA's attention-weighted feature-map distance (the reference's 0.01 is for ResNet "
        "features; it diverges on the demo's raw conv outputs)",
        lo=0.0,
    )
    """The distance sums over the batch and scales with the channels: on the demo α = 0.01 gave NaN from the first
    epoch at every seed; 1e-4 puts the feature term near the simple form's 0.1 × MSE (docs/mitigation.md)."""
    beta: float = _beta()
    attention_batches: int = param(
        4,
        label="attention batches",
        help="training batches (of 64) over which each channel's loss increase when removed is averaged, as "
        "the reference's channel_eval.py",
        lo=1,
    )
    probe_epochs: int = param(
        10,
        label="probe epochs",
        help="epochs of the teacher's linear probe on the target data that scores channel removals "
        "(the reference's 10)",
        lo=1,
    )


@dataclass(frozen=True)
class RenofeationParams(FeatureParams):
    """Renofeation: re-initialise, distil features through spatial dropout after every stage, then SWA."""

    renofeation_dropout: float = fraction(
        0.1, label="dropout", help="spatial dropout on the output of every matched stage (fe_resnet.py's)"
    )
    beta: float = _beta()
    swa_epochs: int | None = param(
        None,
        label="SWA epochs",
        help="epochs of the stochastic-weight-averaging phase at half the rate (empty: a third of the training "
        "epochs, as the reference's 30000 after 90000 iterations; 0: no SWA)",
        lo=0,
    )


@dataclass(frozen=True)
class SeamParams(MitigateParams):
    """SeaM: a binary mask over the teacher's conv weights learnt for the target task, then fine-tuning (the
    defaults are the reference's defect-inheritance command: lr_mask 0.05, α 0.5, threshold 0.6)."""

    prune_threshold: float = fraction(
        0.6,
        label="prune threshold",
        help="the mask search stops once this fraction of the conv weights is removed (1: only if all are)",
        hi_open=False,
    )
    mask_alpha: float = param(
        0.5, label="mask α", help="weight α of the kept-weight ratio in the mask loss CE + α·ratio", lo=0.0
    )
    mask_lr: float = param(0.05, label="mask rate", help="Adam learning rate of the mask scores", lo=0.0)
    mask_head_lr: float = param(
        0.001, label="mask head rate", help="Adam learning rate of the head while the mask learns", lo=0.0
    )
    mask_epochs: int = param(300, label="mask epochs", help="epochs of the mask search, at most", lo=1)
    head_epochs: int = param(
        300,
        label="head epochs",
        help="epochs, at most, of step 1: the new head alone on the frozen teacher",
        lo=1,
    )
    head_lr: float = param(0.1, label="head rate", help="SGD learning rate of step 1's head", lo=0.0)
    early_stop: int = param(
        30,
        label="early stop",
        help="steps 1 and 2 stop after this many epochs without a better validation score",
        lo=1,
    )


def _method(name: str, help: str, params: type) -> Entry:
    baseline = None if name == "finetune" else "finetune"  # same recipe and seed, nothing removed
    return Entry(name, help, f"tltui.core.mitigate.{name}:run", params, baseline=baseline)


MITIGATIONS: dict[str, Entry] = {
    "remos": _method(
        "remos", "ReMoS: slice the weights irrelevant to the target, then fine-tune", RemosParams
    ),
    "seam": _method(
        "seam", "SeaM: re-engineer the teacher with a learnt weight mask, then fine-tune", SeamParams
    ),
    "finetune": _method("finetune", "fine-tune all layers from the teacher (baseline)", MitigateParams),
    "retrain": _method("retrain", "re-initialise and train (baseline)", MitigateParams),
    "magprune": _method("magprune", "global magnitude pruning, then fine-tune (baseline)", PruneParams),
    "delta": _method(
        "delta",
        "DELTA as published: fine-tune with the teacher-attention-weighted feature-map distance + β head "
        "penalty (baseline)",
        DeltaParams,
    ),
    "renofeation": _method(
        "renofeation",
        "re-initialise + feature distillation with spatial dropout (baseline)",
        RenofeationParams,
    ),
    "reinit": _method(
        "reinit",
        "re-initialise the chosen layers (the layer interventions' follow-up), then fine-tune",
        ReinitParams,
    ),
    "delta-simple": Entry(
        "delta-simple",
        "simplified DELTA: fine-tune with the plain feature-map MSE to the frozen teacher (Renofeation's "
        "DELTA baseline)",
        "tltui.core.mitigate.delta:run_simple",
        FeatureParams,
        baseline="finetune",
    ),
}
"""Method name -> entry; `target` is its `run(an, params) -> Generator[Progress, None, nn.Module]`."""

FRESH = frozenset({"retrain", "renofeation"})
"""Methods that re-initialise the student: their comparison trains on the study's scratch recipe (both sides)."""

OLD_FLAGS = {"delta_alpha": "feature_alpha", "renofeation_alpha": "feature_alpha"}
"""Spellings of earlier releases, still accepted as hidden flags."""
