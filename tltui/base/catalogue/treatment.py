"""Treatments of a variant (docs/treatments.md): Model Doctor, Dare and FMT, with their parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tltui.base.catalogue.entry import Entry
from tltui.base.catalogue.params import fraction, param


@dataclass(frozen=True)
class TreatParams:
    """How to treat a variant; each treatment takes the fields its catalogue entry lists."""

    variant: str = param("finetune", label="treat variant", help="the variant to treat (a copy is treated)")
    layer: str | None = param(
        None,
        label="layer",
        help="where to work (empty: the last conv for Model Doctor, the head's input for Dare and FMT)",
        layers="any",
    )
    alpha: float = param(10.0, label="α", help="weight of the channel loss in CE + α·L_channel", lo=0.0)
    """A plain per-sample batch mean: the reference's α corresponds to α·B here (docs/treatments.md)."""
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
    epochs: int | None = param(None, label="epochs", help="training epochs (empty: the treatment's)", lo=0)
    lr: float | None = param(
        None, label="lr", help="learning rate (empty: the treatment's)", lo=0.0, lo_open=True
    )
    train_batch_size: int = param(
        64, label="train batch", help="batch size of the treatment's training", lo=1
    )
    slice_ratio: float = fraction(
        0.05,
        label="slice cut",
        help="per neuron, the fraction of incoming weights with the lowest contribution left out of the slice",
    )
    sensitive_ratio: float = fraction(
        0.25,
        label="sensitive",
        help="fraction of the layer's neurons most changed by the attribute flip",
        lo_open=True,
        hi_open=False,
    )
    checkpoints: tuple[Path, ...] = ()
    """Dare: extra training checkpoints of the variant's architecture, candidate sources of regression targets."""
    seed: int = param(0, label="seed", help="seed for shuffling", lo=0)


COMMON = ("variant", "epochs", "lr", "train_batch_size", "seed")

TREATMENTS: dict[str, Entry] = {
    "model-doctor": Entry(
        "model-doctor",
        "Model Doctor: channel-constraint fine-tuning from the diagnosis map",
        "tltui.core.treat.model_doctor:run",
        TreatParams,
        ("alpha", "theta", "layer", "n_per_class", *COMMON),
    ),
    "dare": Entry(
        "dare",
        "Dare: isomorphic-regression repair of a slice",
        "tltui.core.treat.dare:run",
        TreatParams,
        ("slice_ratio", "layer", *COMMON),
    ),
    "fmt": Entry(
        "fmt",
        "FMT: fairness repair on counterfactual pairs",
        "tltui.core.treat.fmt:run",
        TreatParams,
        ("sensitive_ratio", "slice_ratio", "layer", *COMMON),
    ),
}
"""Treatment name -> entry; `target` is its `run(an, params) -> Generator[Progress, None, nn.Module]`."""
