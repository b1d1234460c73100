"""interventions.json (`tltui localise`): its shape as types, and a reader that checks it (docs/localise.md).

Per layer, accuracy (AOI) and DIR after one intervention on that layer alone, each with its paired difference
to the un-intervened student (an interval over test images); the passive scores of the Layers view for the same
layers, and the rank correlation of each with the measured effect; cumulative interventions on the top-k layers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

from tltui.base.errors import ResultsError
from tltui.base.rundir.interval import Interval
from tltui.base.rundir.metrics import AOI, DIR

if TYPE_CHECKING:  # annotations only
    from typing_extensions import NotRequired

    from tltui.base.rundir.shape import TeacherAttackBlock
    from tltui.base.rundir.shape_interval import IntervalBlock

INTERVENTIONS_FORMAT = 1
KINDS = ("restore", "reinit", "bn")
"""restore: the teacher's weights where shapes match; reinit: a seeded fresh initialisation; bn: the teacher's
BatchNorm running statistics."""
PASSIVE: tuple[tuple[str, str, int], ...] = (
    ("weight_change", "weight change ‖Ws−Wt‖/‖Wt‖", -1),
    ("adv_deviation", "adversarial deviation", +1),
    ("coverage", "teacher neuron coverage", -1),
    ("neuron_distance", "matched-neuron distance", -1),
    ("cka", "CKA teacher × student", +1),
    ("discriminative", "discriminative channels (domain acc.)", +1),
)
"""Passive score key, label, and the sign of ρ with a re-initialisation's effect (|Δ DIR|) that would mean the
score points at where the inheritance lives (docs/localise.md says why each); `expected_sign` for the others."""
SIMILARITY = frozenset({"weight_change", "neuron_distance", "cka"})
"""Scores of how far the student moved from the teacher: restoring a layer that did not move changes nothing, so
under `restore` their expected sign flips."""


def expected_sign(score: str, rank_by: str) -> int:
    """The sign of ρ that would mean `score` agrees with the interventions of kind `rank_by`."""
    sign = next((s for k, _, s in PASSIVE if k == score), 0)
    return -sign if rank_by == "restore" and score in SIMILARITY else sign


class Effect(TypedDict):
    """One model state's accuracy and DIR, and its paired difference to the baseline (absent for the baseline)."""

    aoi: float
    dir: float
    delta: NotRequired[dict[str, IntervalBlock]]
    """`aoi` and `dir`: intervened − baseline, a paired bootstrap over the same test images."""
    changed: NotRequired[list[str]]
    """The modules the intervention changed (a block's conv, linear and BatchNorm layers)."""


class LayerEffects(TypedDict):
    name: str
    kind: str
    effects: dict[str, Effect | None]
    """Intervention -> its effect; None where it does not apply (a head of another shape, no BatchNorm)."""
    passive: dict[str, float | None]


class Cumulative(TypedDict):
    k: int
    layers: list[str]
    effect: Effect


class Correlation(TypedDict):
    rho: float | None
    p: float | None
    n: int
    exact: bool
    expected: int
    agrees: bool | None
    """ρ has the expected sign and p < 0.05; None when ρ could not be computed."""


class InterventionsFile(TypedDict):
    format: int
    study: str
    variant: str
    device: str
    n_test: int
    n_boot: int
    boot_seed: int
    seed: int
    interventions: list[str]
    rank_by: str
    baseline: Effect
    layers: list[LayerEffects]
    ranking: list[str]
    cumulative: list[Cumulative]
    correlations: dict[str, Correlation]
    teacher_attack: NotRequired[TeacherAttackBlock]
    seconds: NotRequired[float]


def effect(acc: float, dir_: float, delta: Mapping[str, Interval] | None = None) -> Effect:
    """An Effect block (the keys spelled here, where the run-file format lives)."""
    out = Effect(aoi=acc, dir=dir_)
    if delta is not None:
        out["delta"] = {k: cast("IntervalBlock", iv.as_json()) for k, iv in delta.items()}
    return out


@dataclass(frozen=True)
class Interventions:
    """interventions.json as read: typed accessors over the checked dict."""

    data: InterventionsFile

    @classmethod
    def of(cls, raw: Any, where: object = "interventions.json") -> Interventions:
        if not isinstance(raw, dict) or not isinstance(raw.get("layers"), list):
            raise ResultsError(
                f"{where}: not an interventions file (no 'layers' list); run `tltui localise` again"
            )
        if raw.get("format") != INTERVENTIONS_FORMAT:
            raise ResultsError(
                f"{where}: interventions format {raw.get('format')!r}, this tltui reads {INTERVENTIONS_FORMAT}; "
                "run `tltui localise` again"
            )
        return cls(cast(InterventionsFile, raw))

    @property
    def layers(self) -> list[LayerEffects]:
        return [x for x in self.data["layers"] if isinstance(x, dict)]

    @property
    def rank_by(self) -> str:
        return str(self.data.get("rank_by", "reinit"))

    def delta(self, eff: Effect | None, metric: str = DIR.key) -> Interval | None:
        """The paired difference of `eff` to the baseline for `metric` (DIR by default)."""
        if not isinstance(eff, dict):
            return None
        return Interval.from_json((eff.get("delta") or {}).get(metric))

    def dir_delta(self, layer: LayerEffects, kind: str | None = None) -> Interval | None:
        return self.delta((layer.get("effects") or {}).get(kind or self.rank_by))

    def acc_delta(self, layer: LayerEffects, kind: str | None = None) -> Interval | None:
        return self.delta((layer.get("effects") or {}).get(kind or self.rank_by), AOI.key)

    @property
    def baseline(self) -> tuple[float | None, float | None]:
        b = self.data.get("baseline")
        return AOI.of(b), DIR.of(b)

    @property
    def cumulative(self) -> list[Cumulative]:
        return [c for c in self.data.get("cumulative") or [] if isinstance(c, dict)]

    @property
    def correlations(self) -> dict[str, Correlation]:
        found = self.data.get("correlations")
        return found if isinstance(found, dict) else {}


def read_interventions(path: str | Path) -> Interventions:
    """Read and check interventions.json; a missing, broken or foreign file is a one-line ResultsError."""
    from tltui.base.runfiles import load_json

    return Interventions.of(load_json(path), path)
