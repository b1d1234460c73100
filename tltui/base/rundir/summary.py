"""summary.json: its format version and the check readers make, and `RunSummary`, the one way to read it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from tltui.base.errors import ResultsError
from tltui.base.rundir.interval import Interval
from tltui.base.rundir.metrics import EPS_CURVE, FAIRNESS, INTERVALS, Metric
from tltui.base.rundir.shape import (
    AttackBlock,
    BootstrapBlock,
    DerivedRecord,
    FairnessInfo,
    FairnessMetrics,
    LayerRow,
    ProducedRecord,
    SeedBlock,
    Summary,
    SweepRecord,
    TeacherAttackBlock,
    TeacherInfo,
    TuningRecord,
    VariantMetrics,
)
from tltui.base.rundir.shape_attacks import AutoAttackBlock, ChecksBlock, LadderBlock
from tltui.base.rundir.shape_timeline import TimelineBlock

FORMAT = 1
"""The run-directory format this code writes and the newest it reads. Bump it whenever a reader of the
previous version would misread a new run (a key renamed or re-meant); adding keys or files does not."""
FORMAT_KEY = "format"
SUMMARY_KEYS: tuple[str, ...] = ("study", "variants", "n_test", "classes")
"""Keys every summary.json has had: a summary without `format` is read as the current format only with these."""


def check_format(summary: Any, where: object) -> int:
    """The format of `summary` (summary.json's contents, read from `where`), or a one-line ResultsError when
    this code cannot read it: not a summary, or written by a newer tltui."""
    if not isinstance(summary, dict):
        raise ResultsError(f"{where}: not an analysis summary (expected a JSON object)")
    found = summary.get(FORMAT_KEY)
    if found is None:
        missing = [k for k in SUMMARY_KEYS if k not in summary]
        if missing or not isinstance(summary.get("variants"), dict):
            what = ", ".join(repr(k) for k in missing) or "'variants' table"
            raise ResultsError(f"{where}: no '{FORMAT_KEY}' and no {what}; is this an analysis run?")
        return FORMAT
    if isinstance(found, bool) or not isinstance(found, int) or found < 1:
        raise ResultsError(f"{where}: '{FORMAT_KEY}' is {found!r}, not a run-directory format version")
    if found > FORMAT:
        raise ResultsError(
            f"{where}: written by a newer tltui (run format {found}; this one reads up to {FORMAT}); "
            "upgrade tltui to open it"
        )
    return found


def metric_rows(
    variants: Mapping[str, Mapping[str, Any]], metrics: Iterable[Metric]
) -> list[tuple[Any, ...]]:
    """One row per variant of summary.json `variants`: its name, then its value of each metric as written
    (None if absent)."""
    metrics = tuple(metrics)
    return [(name, *(m.raw(v) for m in metrics)) for name, v in variants.items()]


def _table(value: object) -> dict[str, Any]:
    return {str(k): v for k, v in value.items() if isinstance(v, dict)} if isinstance(value, dict) else {}


def _block(value: object) -> Any:
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class RunSummary:
    """A summary.json that passed `check_format`, read through typed accessors: every block is what the file
    holds when it has the right JSON type, else empty (a table) or None (a block), so an older run never breaks
    a reader."""

    data: Summary

    @classmethod
    def of(cls, data: Any, where: object) -> RunSummary:
        """`data` (summary.json's contents, read from `where`) once the format check passes and it has a
        `variants` table; else a one-line ResultsError."""
        check_format(data, where)
        if not isinstance(data.get("variants"), dict):
            raise ResultsError(f"{where}: has no 'variants' table; is this an analysis run?")
        return cls(cast(Summary, data))

    @property
    def format(self) -> int:
        found = self.data.get("format")
        return found if isinstance(found, int) else FORMAT

    @property
    def study(self) -> str:
        return str(self.data.get("study", "?"))

    @property
    def device(self) -> str:
        return str(self.data.get("device", "?"))

    @property
    def variants(self) -> dict[str, VariantMetrics]:
        """Variant → its metrics, in the order of the file."""
        return cast(dict[str, VariantMetrics], _table(self.data.get("variants")))

    def variant(self, name: str) -> VariantMetrics | None:
        return self.variants.get(name)

    def metric(self, variant: str, metric: Metric) -> float | None:
        """`variant`'s value of `metric` (None when the variant or the value is missing)."""
        return metric.of(self.variant(variant))

    def interval(self, variant: str, metric: Metric) -> Interval | None:
        """`variant`'s `metric` (accuracy or DIR) with its bootstrap interval over the test images; None for a run
        written before intervals were recorded, or a metric without one."""
        row = self.variant(variant)
        found = _block(row.get(INTERVALS)) if row is not None else None
        return Interval.from_json(found.get(metric.key)) if found is not None else None

    @property
    def autoattack(self) -> AutoAttackBlock | None:
        """The AutoAttack preset's protocol and results, None for a run without it."""
        return cast(AutoAttackBlock | None, _block(self.data.get("autoattack")))

    @property
    def dir_ladder(self) -> LadderBlock | None:
        """The DIR ladder's rungs and worst cases, None for a run without it."""
        return cast(LadderBlock | None, _block(self.data.get("dir_ladder")))

    @property
    def bootstrap(self) -> BootstrapBlock | None:
        """How the run's intervals were resampled (`n_boot`, `seed`), None before intervals were recorded."""
        return cast(BootstrapBlock | None, _block(self.data.get("bootstrap")))

    @property
    def n_test(self) -> int | None:
        n = self.data.get("n_test")
        return n if isinstance(n, int) and not isinstance(n, bool) else None

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.data.get("classes") or []]

    @property
    def ids(self) -> list[str] | None:
        """The test instances' ids (image paths below the split root), None when the run has none."""
        ids = self.data.get("ids")
        return [str(i) for i in ids] if isinstance(ids, list) else None

    @property
    def attack(self) -> AttackBlock | None:
        """The white-box attack of every variant."""
        return cast(AttackBlock | None, _block(self.data.get("attack")))

    @property
    def teacher_attack(self) -> TeacherAttackBlock | None:
        return cast(TeacherAttackBlock | None, _block(self.data.get("teacher_attack")))

    @property
    def teacher(self) -> TeacherInfo | None:
        return cast(TeacherInfo | None, _block(self.data.get("teacher")))

    @property
    def source_acc(self) -> float | None:
        """The teacher's accuracy on its source task, None when not measured."""
        teacher = self.teacher
        value = teacher.get("source_acc") if teacher is not None else None
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    @property
    def layers(self) -> list[LayerRow]:
        """The per-layer rows, in network order."""
        layers = self.data.get("layers") or []
        return [layer for layer in layers if isinstance(layer, dict)]

    @property
    def derived(self) -> dict[str, DerivedRecord]:
        """Produced variants (mitigations, treatments): name → {kind, method, base, …}."""
        return cast(dict[str, DerivedRecord], _table(self.data.get("derived")))

    @property
    def fairness(self) -> FairnessInfo | None:
        """How the groups were formed, None when fairness is off."""
        return cast(FairnessInfo | None, _block(self.data.get(FAIRNESS)))

    def fairness_of(self, variant: str) -> FairnessMetrics | None:
        """`variant`'s fairness block, None when it has none."""
        return fairness_of(self.variant(variant))

    @property
    def produced(self) -> ProducedRecord | None:
        """What a `mitigate` / `treat` run produced, None for an `analyze` run."""
        return cast(ProducedRecord | None, _block(self.data.get("produced")))

    @property
    def seeds(self) -> SeedBlock | None:
        """A `--seeds` run's statistics, None otherwise."""
        return cast(SeedBlock | None, _block(self.data.get("seeds")))

    @property
    def sweep(self) -> SweepRecord | None:
        """A `tltui sweep` run's points and verdict, None otherwise."""
        return cast(SweepRecord | None, _block(self.data.get("sweep")))

    @property
    def tuning(self) -> TuningRecord | None:
        """How `--tune-baseline` chose the recipe, None when it was not tuned."""
        return cast(TuningRecord | None, _block(self.data.get("tuning")))

    @property
    def timeline(self) -> TimelineBlock | None:
        """Accuracy and DIR along each training run (`--timeline N`), None when not recorded."""
        return cast(TimelineBlock | None, _block(self.data.get("timeline")))

    @property
    def warnings(self) -> list[str]:
        """One-line warnings about the run (e.g. an undertrained baseline)."""
        found = self.data.get("warnings")
        return [str(w) for w in found] if isinstance(found, list) else []

    @property
    def checks(self) -> ChecksBlock | None:
        """What the pre-flight checks and after-attack flags found, None for a run written before them."""
        return cast(ChecksBlock | None, _block(self.data.get("checks")))


def fairness_of(variant: Mapping[str, Any] | None) -> FairnessMetrics | None:
    """A variant's fairness block (FAIRNESS_METRICS), None when it has none."""
    block = variant.get(FAIRNESS) if variant is not None else None
    return cast(FairnessMetrics, block) if isinstance(block, dict) else None


def eps_curve(variant: Mapping[str, Any] | None) -> list[tuple[Any, Any]]:
    """A variant's accuracy-vs-ε points (ε, accuracy) as written; points of the wrong shape are left out."""
    curve = variant.get(EPS_CURVE) if variant is not None else None
    return [(p[0], p[1]) for p in curve or [] if isinstance(p, (list, tuple)) and len(p) == 2]


def read_summary(path: str | os.PathLike[str]) -> RunSummary:
    """Read summary.json at `path`: a missing or unreadable file, a run format this code does not know, or a
    file without a `variants` table is a one-line ResultsError."""
    from tltui.base.runfiles import load_json  # numpy comes with it: not before the UI's first frame

    return RunSummary.of(load_json(path), path)
