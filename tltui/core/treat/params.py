"""The parameters every treatment takes: one frozen dataclass, parsed once and passed in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TreatParams:
    """How to treat a variant (fields a treatment does not use are ignored by it)."""

    variant: str = "finetune"
    """The variant to treat; a deep copy of it is treated, never the original."""
    layer: str | None = None
    """Where to work. None: the last conv (Model Doctor) or the penultimate features, i.e. the input of the head
    (Dare, FMT). A module name: that module's output."""
    alpha: float = 10.0
    """Model Doctor: weight α of the channel loss in L = CE + α·L_channel."""
    theta: float = 0.2
    """Model Doctor: a channel is correlated with a class when its normalised gradient score exceeds θ."""
    n_per_class: int = 50
    """Model Doctor: the most confident correct training images per class used by the diagnosis."""
    epochs: int | None = None
    """Training epochs; None = the treatment's own default."""
    lr: float | None = None
    """Learning rate; None = the treatment's own default."""
    train_batch_size: int = 64
    """Training batch size (the job's `batch_size` is the evaluation/attack batch of the analysis)."""
    slice_ratio: float = 0.05
    """Dare/FMT: per neuron, this fraction (rounded up) of its incoming weights with the lowest backward
    contribution is cut from the slice (frozen)."""
    sensitive_ratio: float = 0.25
    """FMT: the fraction (rounded up) of neurons at the layer most changed by the attribute flip."""
    checkpoints: tuple[Path, ...] = ()
    """Dare: extra training checkpoints of the variant's architecture, candidate sources of regression targets."""
    seed: int = 0
    """Seed for shuffling (runs are deterministic on CPU)."""
