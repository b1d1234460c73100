"""The parameters every method that trains shares (epochs, learning rate, seeds), as a base class to inherit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tltui.base.catalogue.params import param
from tltui.base.errors import ParamError

MAX_SEED = 2**32 - 1
"""Seeds are 32-bit everywhere (numpy's and torch's generators take them); a study's `seed` too."""
MAX_EPOCHS = 100_000
"""A bound against typos that would train for days (`epochs = 1000000`), far above any real recipe."""


def timeline_param() -> Any:
    """`--timeline N`: accuracy and DIR at N points along each training run of the job (docs/timeline.md)."""
    return param(
        0,
        label="timeline",
        help="evaluate accuracy and DIR at this many points along training (0: off; 20 is a good start)",
        lo=0,
        hi=200,
    )


def keep_best_param() -> Any:
    """`--keep-best`: save each run's checkpoint picked on validation along its timeline."""
    return param(
        False,
        label="keep best",
        help="with a timeline: also save each run's checkpoint picked on validation as a variant <name>-best",
    )


def check_timeline(timeline: int, keep_best: bool) -> None:
    """`--keep-best` needs a timeline to pick along."""
    if keep_best and not timeline:
        raise ParamError("--keep-best picks a checkpoint along the timeline: give --timeline N too (e.g. 20)")


@dataclass(frozen=True)
class TrainParams:
    """Epochs, learning rate and seeds of a method that trains a variant; `tltui.core.produce` reads `seed` and
    `seeds` of every params class inheriting it (a plugin's class that does not inherit it runs one seed, 0)."""

    TRAILING: ClassVar[tuple[str, ...]] = ("epochs", "lr", "seed", "seeds", "tune_baseline")
    """Shown after the method's own parameters (flags, forms), though declared first."""

    epochs: int | None = param(
        None, label="epochs", help="training epochs (empty: the method's)", lo=0, hi=MAX_EPOCHS
    )
    lr: float | None = param(
        None, label="lr", help="learning rate of the body (empty: the method's)", lo=0.0, lo_open=True
    )
    """Mitigations: the head's rate keeps its ratio to the body's."""
    seed: int = param(
        0,
        label="seed",
        help="seeds the new head, re-initialisation and training order",
        lo=0,
        hi=MAX_SEED - 50,
    )
    seeds: int = param(
        1,
        label="seeds",
        help="runs at seed, seed+1, …, each beside its same-seed baseline (or control, or the untreated variant)",
        lo=1,
        hi=50,
    )
    tune_baseline: bool = param(
        False,
        label="tune baseline",
        help="first pick lr (and epochs) from the study's [tuning] grid by the baseline's validation accuracy; "
        "the method and its matched baseline then both train with that recipe",
    )

    @property
    def start(self) -> str:
        """The variant (or build recipe) the method starts from."""
        return "finetune"


@dataclass(frozen=True)
class TuningParams:
    """A study's [tuning] table: the grid `tune_baseline` searches (docs/mitigation.md, "Tuning the baseline")."""

    lr: tuple[float, ...] = param(
        (0.005, 0.01, 0.05), label="lr grid", help="body learning rates tried", lo=0.0, lo_open=True
    )
    epochs: tuple[float, ...] = param(
        (), label="epochs grid", help="whole epochs tried (empty: the method's epochs only)", lo=1
    )
