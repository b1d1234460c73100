"""The recipe a produced variant's comparison shares, resolved once and recorded in each variant's provenance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tltui.base.catalogue import Entry
from tltui.base.catalogue.mitigation import FRESH, MitigateParams
from tltui.base.catalogue.treatment import ModelDoctorParams, TreatParams
from tltui.base.rundir.shape import RecipeRecord
from tltui.core.analysis import Analysis
from tltui.core.build import schedule_for
from tltui.core.train import Schedule

BUILDS = ("scratch", "probe", "finetune")


def record(schedule: Schedule, source: str) -> RecipeRecord:
    """The provenance of `schedule` (its seed is the variant's own, recorded beside it)."""
    return RecipeRecord(
        source=source,
        optimizer=schedule.optimizer,
        lr=schedule.lr,
        head_lr=schedule.head_lr,
        epochs=schedule.epochs,
        momentum=schedule.momentum,
        weight_decay=schedule.weight_decay,
        batch_size=schedule.batch_size,
        lr_schedule="constant",
        augmentation=schedule.augment,
    )


def recipe_of(an: Analysis, entry: Entry, settings: Any, runs: Sequence[Any] = ()) -> RecipeRecord | None:
    """The recipe `entry` at `settings` trains with: a mitigation's student schedule, Model Doctor's (and its
    control's) treatment schedule; a treatment without a control (Dare, FMT) repairs a model and shares that
    model's recipe, which is one of `runs` (tltui.core.produce.Planned) built by this job, or the study's variant as
    built. None for a plugin's method or a variant given by weights (its recipe is not known)."""
    if isinstance(settings, MitigateParams):
        from tltui.core.mitigate._student import recipe

        fresh = entry.name in FRESH
        schedule = recipe(an, settings, fresh=fresh)[1]
        source = settings.recipe or ("scratch" if fresh else _build(an, settings.base))
        return record(schedule, source)
    if isinstance(settings, ModelDoctorParams):
        from tltui.core.treat.model_doctor import scratch_schedule, treat_schedule

        if entry.name.startswith("model-doctor-scratch"):
            return record(scratch_schedule(an, settings), "scratch")
        return record(treat_schedule(settings, an.study.data.augment), entry.name)
    if isinstance(settings, TreatParams):
        made = next((r for r in runs if r.name == settings.variant), None)
        if made is not None:
            return recipe_of(an, made.entry, made.settings)
        if settings.variant in an.study.names:
            spec = an.study.variant(settings.variant)
            if spec.build in BUILDS:
                return record(schedule_for(an.study, spec.build, spec.epochs), spec.build)
    return None


def _build(an: Analysis, base: str) -> str:
    if base in an.study.names:
        return an.study.variant(base).build or "finetune"
    return base
