"""The parameters every mitigation method takes (one frozen dataclass, parsed once, passed in)."""

from __future__ import annotations

from dataclasses import dataclass

from tltui.base.errors import TltuiError

CRITERIA = ("neuron", "topk")


@dataclass(frozen=True)
class MitigateParams:
    """Settings for one mitigation run; fields a method does not use are ignored by it."""

    ratio: float = 0.03
    """Fraction of the in-scope conv weights to cut (ReMoS slice, magprune); 0.03–0.1 typical. 0.03 because the
    demo's small net loses 8 AOI points at 0.1 (it cuts 62 % of conv2) and keeps its accuracy at 0.03."""
    threshold: float = 0.5
    """Neuron coverage: a channel is covered by an image if its min–max scaled spatial mean exceeds this."""
    criterion: str = "neuron"
    """Coverage criterion for the ReMoS profile: `neuron` (threshold) or `topk` (the k most active channels)."""
    topk: int = 3
    """Top-k coverage: a channel is covered by an image if it is among the k most active of its layer."""
    scope: tuple[str, ...] | None = None
    """Conv layers that may be cut (names as in `named_modules`); None = every Conv2d of the teacher."""
    epochs: int | None = None
    """Training epochs; None = the schedule of the `base` recipe (0 returns the initial student untrained)."""
    lr: float | None = None
    """Body learning rate; None = the recipe's (the head's rate keeps its ratio to the body's)."""
    seed: int = 0
    """Seeds the new head, any re-initialisation and the training order."""
    base: str = "finetune"
    """The variant (or build recipe) whose recipe and head size the student mirrors."""
    stages: tuple[str, ...] | None = None
    """Modules whose outputs `delta` and `renofeation` match to the teacher's; None = ResNet-style `layer1`…
    `layer4` when the model has them, else every in-scope Conv2d."""
    delta_alpha: float = 0.1
    """DELTA: weight α of Σ_stages MSE(student features, frozen-teacher features) added to cross-entropy. Scale it
    to the features: the demo's raw conv outputs reach a mean square of 73 (α = 1 destabilises its fine-tune)."""
    renofeation_alpha: float = 0.1
    """Renofeation: weight of the feature-distillation loss (Renofeation's 5.0 is for batch-normed ResNet stages;
    the demo's raw conv features are far larger)."""
    renofeation_dropout: float = 0.1
    """Renofeation: spatial (channel) dropout rate on the feature maps entering each stage after the first."""

    def __post_init__(self) -> None:
        # JSON job parameters carry lists; keep the dataclass hashable
        for name in ("scope", "stages"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


class MitigateError(TltuiError):
    """A mitigation parameter that does not fit the study or the model."""

    title = "Invalid mitigation"


def check(params: MitigateParams) -> None:
    """Refuse out-of-range parameters with a one-line error."""
    if not 0.0 <= params.ratio < 1.0:
        raise MitigateError(f"ratio = {params.ratio}: must be in [0, 1)")
    if params.criterion not in CRITERIA:
        raise MitigateError(f"criterion = {params.criterion!r}: choose one of {', '.join(CRITERIA)}")
    if params.topk < 1:
        raise MitigateError(f"topk = {params.topk}: must be at least 1")
    if params.epochs is not None and params.epochs < 0:
        raise MitigateError(f"epochs = {params.epochs}: must be >= 0")
    if params.lr is not None and params.lr <= 0:
        raise MitigateError(f"lr = {params.lr}: must be > 0")
    if not 0.0 <= params.renofeation_dropout < 1.0:
        raise MitigateError(f"renofeation_dropout = {params.renofeation_dropout}: must be in [0, 1)")
