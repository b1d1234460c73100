"""Treatments of a variant (docs/treatments.md): Model Doctor, Dare and FMT, each with its own parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from tltui.base.catalogue.entry import Entry
from tltui.base.catalogue.params import fraction, param
from tltui.base.catalogue.training import TrainParams, check_timeline, keep_best_param, timeline_param


@dataclass(frozen=True)
class TreatParams(TrainParams):
    """What every treatment takes: the variant it treats (a copy), where it works, its training batch."""

    TRAILING: ClassVar[tuple[str, ...]] = (
        "epochs",
        "lr",
        "train_batch_size",
        "seed",
        "seeds",
        "tune_baseline",
        "timeline",
        "keep_best",
    )

    variant: str = param("finetune", label="treat variant", help="the variant to treat (a copy is treated)")
    layer: str | None = param(
        None,
        label="layer",
        help="where to work (empty: the last conv for Model Doctor, the head's input for Dare and FMT)",
        layers="any",
    )
    train_batch_size: int = param(
        64, label="train batch", help="batch size of the treatment's training", lo=1
    )
    timeline: int = timeline_param()
    keep_best: bool = keep_best_param()

    @property
    def start(self) -> str:
        return self.variant

    def __post_init__(self) -> None:
        check_timeline(self.timeline, self.keep_best)


@dataclass(frozen=True)
class ModelDoctorParams(TreatParams):
    """Model Doctor: channel-constraint fine-tuning from the diagnosis map."""

    channel_alpha: float = param(
        10.0,
        label="channel α",
        help="weight of the channel loss in CE + α·L_channel, a per-sample mean (= the reference's α ÷ batch "
        "size); its flag was --alpha",
        lo=0.0,
    )
    """The reference differentiates the batch-mean logit, so its loss is ours ÷ B (docs/treatments.md#alpha)."""
    theta: float = param(
        0.2,
        label="θ",
        help="a channel is correlated with a class above this normalised score",
        lo=0.0,
        hi=1.0,
    )
    n_per_class: int = param(
        50, label="images/class", help="most confident correct training images per class to diagnose", lo=1
    )


@dataclass(frozen=True)
class DareParams(TreatParams):
    """Dare: isomorphic-regression repair through per-class slices."""

    held_out: float = fraction(
        0.5,
        label="held out",
        help="share of the training data held out (seeded, stratified per class) to choose repair targets on",
        lo_open=True,
    )
    """Until the study has its own validation split; the reference trains on one half and repairs on the other."""
    pool: str = param(
        "all",
        label="target pool",
        help="models that may supply repair targets: the variant's build checkpoints, or also the other "
        "variants and the teacher (their features mapped into the variant's by least squares)",
        choices=("all", "checkpoints"),
    )
    slice_cut: float = fraction(
        0.05,
        label="slice cut",
        help="per neuron and class, the share of its input neurons with the fewest contribution votes left out "
        "of the class's slice",
    )
    checkpoints: tuple[Path, ...] = ()
    """Extra training checkpoints of the variant (same architecture), candidate sources of repair targets."""


@dataclass(frozen=True)
class FmtParams(TreatParams):
    """FMT: fairness repair between flip-sensitive neurons."""

    vote_ratio: float = fraction(
        0.2,
        label="votes",
        help="per counterfactual pair and layer, the share of neurons most changed by the flip that get a vote",
        lo_open=True,
        hi_open=False,
    )
    important_ratio: float = fraction(
        0.1,
        label="important",
        help="per layer, the share of neurons with the most votes whose connecting weights are updated",
        lo_open=True,
        hi_open=False,
    )
    pairs: str = param(
        "dual",
        label="pairs",
        help="dual: both members of a pair regressed to the more confident one's output; single: only the "
        "less confident member",
        choices=("dual", "single"),
    )


TREATMENTS: dict[str, Entry] = {
    "model-doctor": Entry(
        "model-doctor",
        "Model Doctor: channel-constraint fine-tuning from the diagnosis map",
        "tltui.core.treat.model_doctor:run",
        ModelDoctorParams,
        baseline="model-doctor",  # its control: the same schedule without the channel loss
        baseline_params=(("channel_alpha", 0.0),),
    ),
    "model-doctor-scratch": Entry(
        "model-doctor-scratch",
        "Model Doctor from scratch (the reference's procedure): diagnose the variant, re-initialise it, train "
        "with the channel loss",
        "tltui.core.treat.model_doctor:run_scratch",
        ModelDoctorParams,
        baseline="model-doctor-scratch",  # its control: the same re-initialised training without the loss
        baseline_params=(("channel_alpha", 0.0),),
    ),
    "dare": Entry(
        "dare",
        "Dare: isomorphic-regression repair on held-out inputs, through per-class slices",
        "tltui.core.treat.dare:run",
        DareParams,
    ),
    "fmt": Entry(
        "fmt",
        "FMT: fairness repair between flip-sensitive neurons, on counterfactual pairs",
        "tltui.core.treat.fmt:run",
        FmtParams,
    ),
}
"""Treatment name -> entry; `target` is its `run(an, params) -> Generator[Progress, None, nn.Module]`."""
