"""What a produce job trains: each seed's method run beside its matched baseline, with one recipe for both."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tltui.base import catalogue
from tltui.base.catalogue import Entry, TrainParams, TreatParams
from tltui.base.catalogue.mitigation import MitigateParams
from tltui.base.catalogue.params import as_json
from tltui.base.errors import ParamError
from tltui.base.names import produced_name
from tltui.base.recipe import baseline_name, recipe_tag
from tltui.base.study import Study
from tltui.base.sweep import grid_points

FAMILIES: dict[str, dict[str, Entry]] = {
    "mitigation": catalogue.MITIGATIONS,
    "treatment": catalogue.TREATMENTS,
}


@dataclass(frozen=True)
class Planned:
    """One variant a produce job makes (or reuses): a seed's method run, or its matched baseline."""

    name: str
    entry: Entry
    settings: Any
    role: str
    """`method` or `baseline`."""
    seed: int
    needs: str | None = None
    """The variant of this job the run starts from (a treatment of its same-seed untreated model)."""
    group: str = ""
    """The method's seed group: `--name`, else the method (a sweep: one per value, `remos-lr0.01`)."""
    stage: int = 1
    """Its place in a chain (tltui.core.stackplan): 1 for a method run alone and for every baseline."""
    matched: str | None = None
    """A later stage's matched baseline: the one its chain's first stage has at the same seed."""


def plan(
    family: str,
    entry: Entry,
    settings: Any,
    given_name: str | None,
    study: Study,
    untreated: tuple[float | None, int | None] = (None, None),
    *,
    paired: bool = False,
) -> list[Planned]:
    """One run for a single seed at the default recipe (named as before); else, for each seed (`seeds` = N),
    `<name>-s<seed>`, each with its matched same-seed baseline trained with the very same recipe (the entry's
    `baseline`, e.g. finetune, or Model Doctor's α = 0; a treatment without one: the untreated model built at that
    seed, at the (lr, epochs) of `untreated`, first, and the seed's run treats it). A baseline's name carries the
    recipe when it is not the default (`finetune-lr0.05-s0`, tltui.base.recipe). `paired`: per seed even for one
    (the first stage of a chain)."""
    seed, seeds = (settings.seed, settings.seeds) if isinstance(settings, TrainParams) else (0, 1)
    if seeds <= 1 and not paired and not _paired(family, entry, settings, untreated):
        return [
            Planned(produced_name(given_name, entry.name, seed, study.names), entry, settings, "method", seed)
        ]
    group = given_name or entry.name
    runs = []
    for s in range(seed, seed + seeds):
        one = dataclasses.replace(settings, seed=s, seeds=1)
        name = f"{given_name or entry.name}-s{s}"
        if seeds <= 1 and not paired and not tuned(settings) and untreated == (None, None):
            name = produced_name(given_name, entry.name, s, study.names)  # one seed, a recipe flag: as before
        made = untreated_run(family, entry, one, study, untreated)
        if made is not None:
            b_entry, b_settings = made
            b_name = baseline_name(b_entry.name, s, as_json(b_settings))  # a mitigation group's finetune too
            runs.append(Planned(b_name, b_entry, b_settings, "baseline", s, group=group))
            treat = dataclasses.replace(one, variant=b_name)
            runs.append(Planned(name, entry, treat, "method", s, b_name, group))
            continue
        runs.append(Planned(name, entry, one, "method", s, group=group))
        if entry.baseline is not None:
            b_entry, b_settings = baseline_run(family, entry, one)
            b_name = baseline_name(b_entry.name, s, as_json(one), control=bool(entry.baseline_params))
            runs.append(Planned(b_name, b_entry, b_settings, "baseline", s, group=group))
    return runs


def sweep_groups(
    family: str, entry: Entry, settings: Any, given_name: str | None, grid: dict[str, list[float]] | None
) -> list[tuple[dict[str, float], Any, str | None]]:
    """Per value of a sweep's grid (tltui.base.sweep): the value, the settings at it (both sides of each pair
    train with them) and the method's group name (`remos-lr0.01`); no grid: the run as given."""
    if not grid:
        return [({}, settings, given_name)]
    if family == "treatment" and entry.baseline is None:
        raise ParamError(
            f"sweep: {entry.name}'s --lr and --epochs are its repair's, not a recipe it shares with its "
            "untreated model; sweep a mitigation or model-doctor"
        )
    if not isinstance(settings, TrainParams) or settings.seeds < 2 or settings.tune_baseline:
        raise ParamError(
            "sweep: give --seeds 2 or more (a paired difference needs seeds), without --tune-baseline"
        )
    out: list[tuple[dict[str, float], Any, str | None]] = []
    for value in grid_points(grid):
        changes: dict[str, Any] = {k: (int(v) if k == "epochs" else v) for k, v in value.items()}
        at = dataclasses.replace(settings, **changes)
        out.append((value, at, f"{given_name or entry.name}{recipe_tag(value)}"))
    return out


def _paired(family: str, entry: Entry, settings: Any, untreated: tuple[float | None, int | None]) -> bool:
    """Whether a single-seed run needs a matched baseline of its own: a tuned run; a mitigation whose recipe is
    not the study variant's it would otherwise be compared with (--lr, --epochs, a re-initialising method); a
    treatment of an untreated model rebuilt at a recipe of its own."""
    if entry.baseline is None:
        return family == "treatment" and untreated != (None, None)
    return tuned(settings) or (family == "mitigation" and recipe_tag(as_json(settings)) != "")


def untreated_run(
    family: str, entry: Entry, one: Any, study: Study, recipe: tuple[float | None, int | None] = (None, None)
) -> tuple[Entry, Any] | None:
    """The untreated model a treatment without a control (Dare, FMT) is compared with at the seed of `one`: the
    study's fine-tuned variant it treats, built again at that seed (the mitigation `finetune`, as a mitigation
    group's matched baseline); None when the treated variant is not a study `finetune` build, or when Dare
    draws its repair targets from the variant's build checkpoints only (a rebuilt model has none)."""
    if family != "treatment" or entry.baseline is not None or not isinstance(one, TreatParams):
        return None
    variant = one.variant
    if variant not in study.names or study.variant(variant).build != "finetune":
        return None
    if getattr(one, "pool", None) == "checkpoints":
        return None
    b_entry = catalogue.MITIGATIONS["finetune"]
    lr, epochs = recipe
    return b_entry, dataclasses.replace(
        b_entry.build({"seed": one.seed, "lr": lr, "epochs": epochs}), base=variant
    )


def tuned(settings: Any) -> bool:
    """Whether the run first tunes its baseline's recipe (`--tune-baseline`)."""
    return isinstance(settings, TrainParams) and settings.tune_baseline


def baseline_run(family: str, entry: Entry, one: Any) -> tuple[Entry, Any]:
    """The matched baseline of a method run at `one`: its entry, with the method's shared values (recipe, seed)
    and the entry's `baseline_params` over them."""
    assert entry.baseline is not None
    b_entry = FAMILIES[family][entry.baseline]
    mine = {f.name: getattr(one, f.name) for f in dataclasses.fields(one)}
    values = {k: mine[k] for k in (sp.name for sp in b_entry.specs()) if k in mine}
    built = b_entry.build({**values, **dict(entry.baseline_params)})
    if isinstance(built, MitigateParams) and isinstance(one, MitigateParams):
        built = dataclasses.replace(
            built, recipe=one.recipe
        )  # the method's recipe, a re-initialising one's too
    return b_entry, built


def _tuned_target(family: str, entry: Entry, settings: Any, study: Study) -> tuple[Entry, Any]:
    """What `--tune-baseline` trains per grid point: the method's baseline, a mitigation baseline itself, or the
    untreated model a treatment without a control (Dare, FMT) repairs."""
    if entry.baseline is not None:
        return baseline_run(family, entry, dataclasses.replace(settings, seeds=1))
    if family == "mitigation":
        return entry, dataclasses.replace(settings, seeds=1)
    made = untreated_run(family, entry, dataclasses.replace(settings, seeds=1), study)
    if made is None:
        raise ParamError(
            f"--tune-baseline: {entry.name} treats {_treated(settings)!r} as it is: no baseline is trained to "
            "tune (treat the study's finetune, with the pool of all variants)"
        )
    return made


def _treated(settings: Any) -> str | None:
    """A treatment's untreated variant (what a treatment without a control is compared with)."""
    return settings.variant if isinstance(settings, TreatParams) else None
