"""Building summary.json: the typed blocks the core fills in, stamped with the current format."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from tltui.base.rundir.interval import Interval
from tltui.base.rundir.metrics import FAIRNESS, INTERVAL_METRICS, INTERVALS
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
    VariantIntervals,
    VariantMetrics,
)
from tltui.base.rundir.shape_attacks import AutoAttackBlock, ChecksBlock, LadderBlock
from tltui.base.rundir.shape_timeline import TimelineBlock
from tltui.base.rundir.summary import FORMAT


def add_fairness(variant: VariantMetrics, report: Mapping[str, object]) -> None:
    """Give `variant` its fairness block (tltui.core.fairness.fairness_report's dict)."""
    variant[FAIRNESS] = cast(FairnessMetrics, report)


def teacher_attack_block(
    name: str, preset: str | None, space: str, config: Mapping[str, Any]
) -> TeacherAttackBlock:
    """The teacher's attack: its name, preset and space, then its configuration's fields (`eps`, `alpha`,
    `steps`, `random_start`, `norm`, `scale`) as the attack engine's `AttackConfig` has them."""
    return cast(TeacherAttackBlock, {"name": name, "preset": preset, "space": space, **config})


def new_summary(
    *,
    study: str,
    device: str,
    variants: dict[str, VariantMetrics],
    teacher: TeacherInfo,
    attack: AttackBlock,
    teacher_attack: TeacherAttackBlock,
    layers: Sequence[Mapping[str, Any]],
    derived: Mapping[str, Mapping[str, Any]],
    fairness: FairnessInfo | None,
    n_test: int,
    classes: list[str],
    ids: list[str],
    seconds: float,
) -> Summary:
    """A run's summary.json, stamped with this code's FORMAT; `layers` and `derived` are written as given (the
    diagnosis's layer rows, the produced variants' records)."""
    return Summary(
        format=FORMAT,
        study=study,
        device=device,
        variants=variants,
        teacher=teacher,
        attack=attack,
        teacher_attack=teacher_attack,
        layers=cast(list[LayerRow], layers),
        derived=cast(dict[str, DerivedRecord], derived),
        fairness=fairness,
        n_test=n_test,
        classes=classes,
        ids=ids,
        seconds=seconds,
    )


def add_produced(summary: Summary, first: str, record: Mapping[str, Any], names: Sequence[str]) -> None:
    """Record what a `mitigate` / `treat` run produced: its first variant's name and record, and every name."""
    summary["produced"] = cast(ProducedRecord, {"name": first, **record, "names": list(names)})


def add_seeds(summary: Summary, block: SeedBlock) -> None:
    """Record a `--seeds` run's statistics (tltui.base.seedstats.seed_block)."""
    summary["seeds"] = block


def add_intervals(
    summary: Summary, intervals: Mapping[str, Mapping[str, Interval]], *, n_boot: int, seed: int
) -> None:
    """Give each variant of `intervals` (variant → metric key → Interval, tltui.base.intervals.variant_intervals)
    its `intervals` block, and record the bootstrap that made them (`bootstrap`: replicates and seed)."""
    for name, by_metric in intervals.items():
        block = {m.key: by_metric[m.key].as_json() for m in INTERVAL_METRICS}
        summary["variants"][name][INTERVALS] = cast(VariantIntervals, block)
    summary["bootstrap"] = BootstrapBlock(n_boot=n_boot, seed=seed)


def add_tuning(summary: Summary, record: TuningRecord) -> None:
    """Record how `--tune-baseline` chose the recipe (also in each produced variant's `derived` record)."""
    summary["tuning"] = record


def add_timeline(summary: Summary, block: TimelineBlock) -> None:
    """Record the accuracy and DIR along each training run (`--timeline N`)."""
    summary["timeline"] = block


def add_sweep(summary: Summary, record: SweepRecord) -> None:
    """Record a `tltui sweep` run: per value the method's and its baseline's seed groups (tltui.base.sweep)."""
    summary["sweep"] = record


def add_warning(summary: Summary, line: str) -> None:
    """Add a one-line warning the CLI prints and the workbench shows."""
    summary.setdefault("warnings", []).append(line)


def add_checks(summary: Summary, block: ChecksBlock) -> None:
    """Record what the pre-flight checks and the after-attack flags found (tltui.core.checks)."""
    summary["checks"] = block


def add_autoattack(summary: Summary, block: AutoAttackBlock) -> None:
    summary["autoattack"] = block


def add_dir_ladder(summary: Summary, block: LadderBlock) -> None:
    summary["dir_ladder"] = block
