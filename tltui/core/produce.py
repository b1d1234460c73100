"""Produce a variant (a mitigation or a treatment): build it, save it in the workspace, diagnose every variant."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from tltui.base import rundir
from tltui.base.baselinecheck import undertrained_warning
from tltui.base.catalogue import Entry, RunParams, TrainParams
from tltui.base.catalogue.mitigation import FRESH, MitigateParams
from tltui.base.catalogue.params import as_json, build
from tltui.base.errors import ParamError
from tltui.base.executor import executor_from
from tltui.base.intervals import Outcomes
from tltui.base.progress import JobContext, Progress
from tltui.base.recipe import SCRATCH
from tltui.base.rundir import RunSummary, Summary
from tltui.base.rundir.shape import RecipeRecord, SweepPoint, TuningRecord
from tltui.base.rundir.writer import add_produced, add_seeds, add_sweep, add_timeline, add_tuning, add_warning
from tltui.base.seedstats import seed_block
from tltui.base.study import Study
from tltui.base.sweep import holds, sweep_record
from tltui.base.trust import trusted
from tltui.core.analysis import Analysis
from tltui.core.derived import (
    Staged,
    check_name,
    commit,
    derived_variants,
    discard,
    stage_variant,
    taken_record,
)
from tltui.core.device import resolve_device
from tltui.core.pairing import FAMILIES, Planned, _treated, _tuned_target, plan, sweep_groups, tuned
from tltui.core.pipeline import analyze, begin_run
from tltui.core.recipes import recipe_of
from tltui.core.scripted import is_scripted, refuse_changes
from tltui.core.stackplan import chain_fields, later_stages, plan_chain, refuse_unchained
from tltui.core.timeline import Timeline
from tltui.core.tune import tune


def method_params(family: str, params: dict[str, Any]) -> tuple[Entry, Any]:
    """The catalogue entry of `params['method']` and its validated parameters (the method's own fields only)."""
    entries = FAMILIES[family]
    method = params.get("method")
    entry = entries.get(str(method))
    if entry is None:
        raise ParamError(f"--method {method!r}: choose one of {', '.join(entries)}")
    settings = entry.build({s.name: params.get(s.name) for s in entry.specs()})
    if family == "mitigation" and entry.name in FRESH and isinstance(settings, MitigateParams):
        settings = dataclasses.replace(settings, recipe=SCRATCH)  # its comparison's recipe (docs/sweeps.md)
    return entry, settings


def _arch_for(study: Study, base: str | None, runs: Sequence[Planned] = ()) -> str:
    """The architecture of a variant made from `base` (a study variant, or an untreated model this job builds
    from one)."""
    made = next((r for r in runs if r.name == base and isinstance(r.settings, TrainParams)), None)
    if made is not None:
        base = made.settings.start
    if base is not None and base in study.names:
        return study.variant(base).arch
    return study.teacher.arch


def family_of(entry: Entry, family: str) -> str:
    """The family `entry` belongs to (a treatment's untreated model is a mitigation `finetune`)."""
    return next((f for f, entries in FAMILIES.items() if entries.get(entry.name) is entry), family)


def produce(
    family: str, study: Study, params: dict[str, Any], ctx: JobContext
) -> Generator[Progress, None, Summary]:
    """Load the study once, run the method (for each seed, with its matched baseline), diagnose every variant, then
    put the new ones in place.

    A variant of the same name made earlier stays in place (and in every other analysis) until this job has
    succeeded: the new one is written under a temporary name and renamed over it just before summary.json. A
    baseline already in the workspace with the very same parameters is reused, not trained again."""
    entry, settings = method_params(family, params)
    later = later_stages(params)
    points, keep = timeline_of(settings)
    if later:
        refuse_unchained(params, settings, points)
    groups = sweep_groups(family, entry, settings, params.get("name"), params.get("sweep"))
    runs = [  # `--name` names a chain's last stage: its first is named as it would be alone
        r
        for _, at, name in groups
        for r in plan(family, entry, at, None if later else name, study, paired=bool(later))
    ]
    if later:
        runs = plan_chain(runs, entry, later, params.get("name"))
    for r in runs:
        check_name(study, r.name)
        if keep:
            check_name(study, best_name(r.name))
    trust = trusted(params.get("trust"))
    study.check_trust(trust)
    out = Path(params["out"]) if params.get("out") else ctx.run_dir
    dest = begin_run(out, ctx.workspace)
    run = build(RunParams, {"batch_size": params.get("batch_size"), "compile": params.get("compile")})
    an = Analysis(
        study,
        ctx.workspace,
        resolve_device(ctx.device),
        batch_size=run.batch_size,
        trust=trust,
        compile=run.compile,
    )
    existing = {spec.name: meta for spec, meta in derived_variants(ctx.workspace, study)}
    reused = (
        set()
        if tuned(settings) or points  # a timeline is recorded for every run of the job, baselines too
        else {r.name for r in runs if _reusable(r, runs) and _same(existing.get(r.name), r)}
    )
    an.skip.update(r.name for r in runs if r.name not in reused)  # replaced: not inputs to their successors
    if keep:
        an.skip.update(best_name(r.name) for r in runs)
    yield from an.load()
    start = _target(settings)
    for name, model_in in (("teacher", an.teacher), (start, an.variants.get(start))):
        if model_in is not None and is_scripted(model_in):
            raise refuse_changes("mitigate from" if family == "mitigation" else "treat", name)
    staged: list[Staged] = []
    ex = executor_from(params)
    if points and ex.distributed:
        raise ParamError("--timeline: runs the training here; use the local executor (drop --executor ray)")
    tl = Timeline(an, points, keep=keep) if points else None
    if tl is not None:
        yield from tl.prepare()
        an.timeline = tl
    built: dict[str, nn.Module] = {}
    tuning: TuningRecord | None = None
    if tuned(settings):
        target, target_settings = _tuned_target(family, entry, settings, study)
        tuning, best = yield from tune(an, target, target_settings, ctx.log)
        chosen_lr, chosen_epochs = tuning["chosen"]["lr"], tuning["chosen"]["epochs"]
        untreated: tuple[float | None, int | None] = (None, None)
        if entry.baseline is None and family == "treatment":  # the untreated model's recipe, not the repair's
            untreated = (chosen_lr, chosen_epochs)
        else:
            settings = dataclasses.replace(settings, lr=chosen_lr, epochs=chosen_epochs)
        given = None if later else params.get("name")  # at the chosen recipe; later stages keep their own
        runs = plan(family, entry, settings, given, study, untreated, paired=bool(later))
        if later:
            runs = plan_chain(runs, entry, later, params.get("name"))
        for r in runs:
            check_name(study, r.name)
        chosen = dataclasses.replace(target_settings, lr=chosen_lr, epochs=chosen_epochs)
        same = [r for r in runs if r.entry.name == target.name and r.settings == chosen]
        if (
            same and not points
        ):  # the winner is that run already (same entry, recipe, seed): not trained twice
            built[same[0].name] = best
    recipes = shared_recipes(an, runs)
    todo = [r for r in runs if r.name not in reused]
    if ex.distributed and len(todo) > 1:
        from tltui.core.distributed.seeds import build_all  # Ray is optional: only a Ray job imports it

        # a treatment of a seed's untreated model runs here, after it, seeing what `_sees` gives it (as locally)
        free = [r for r in todo if r.name not in built and r.needs is None]
        built = {**(yield from build_all(an, free, ex, ctx.log)), **built}
    made: dict[str, nn.Module] = {}
    records: dict[str, Any] = {n: existing[n] for n in reused}
    kept: dict[str, str] = {}
    group = params.get("name") or entry.name
    try:
        for r in runs:
            if r.name in reused:
                ctx.log(f"reusing baseline '{r.name}' ({r.entry.name}, seed {r.seed}): same parameters")
                continue
            with _sees(an, r, runs, made), _recording(tl, r, r.group or group):
                model: nn.Module = (
                    built.pop(r.name) if r.name in built else (yield from r.entry.load()(an, r.settings))
                )
            if r.role == "baseline" or any(p.needs == r.name for p in runs):
                made[r.name] = model
            base = _target(r.settings)
            record: dict[str, Any] = {
                "kind": family_of(r.entry, family),
                "method": r.entry.name,
                "base": base,
                "params": dataclasses.asdict(r.settings),
            }
            if len(runs) > 1:
                record.update(role=r.role, group=r.group or params.get("name") or entry.name, seed=r.seed)
            if tuning is not None and r.stage < 2:  # a later stage runs its own recipe, untuned
                record["tuning"] = tuning
            if recipes.get(r.name) is not None:
                record["recipe"] = recipes[r.name]
            record.update(taken_record(model))  # what the method learnt on the way (SeaM's mask)
            records[r.name] = record
            record.update(chain_fields(r, runs, records))
            staged.append(
                stage_variant(ctx.workspace, study, r.name, model.cpu(), _arch_for(study, base, runs), record)
            )
            ctx.log(f"made variant '{r.name}' ({family_of(r.entry, family)} {r.entry.name})")
            picked = tl.load_chosen(r.name, model) if keep and tl is not None else None
            if picked is not None:
                kept[r.name] = name = best_name(r.name)
                arch = _arch_for(study, base, runs)
                staged.append(
                    stage_variant(
                        ctx.workspace, study, name, picked[0], arch, _best_record(record, r, picked[1])
                    )
                )
                ctx.log(
                    f"made variant '{name}': the checkpoint of '{r.name}' after epoch {picked[1]['epoch']:g}"
                )
        for one in staged:  # only now: no seed's run may see (e.g. in Dare's pool) another seed's result
            yield from an.add_variant(one.spec, one.meta)  # as saved: what a later analysis reads
        ctx.log("diagnosing all variants")

        def finish(summary: Summary, outcomes: Mapping[str, Outcomes]) -> None:
            for one in staged:
                commit(one)
            last = max(r.stage for r in runs)
            first = next(r for r in runs if r.role == "method" and r.stage == last)
            add_produced(summary, first.name, an.derived[first.name], [r.name for r in runs])
            if tuning is not None:
                add_tuning(summary, tuning)
            if tl is not None:
                block = tl.block(kept)
                add_timeline(summary, block)
                ctx.log(f"timeline: evaluating took {block['overhead']:.1%} of the training time")
            label = _baseline_label(entry, settings)
            variants = RunSummary(summary).variants
            blocks = [
                (value, name, seed_block(entry.name, label, _pairs(mine, settings), variants, outcomes))
                for value, name, mine in _by_group(entry, groups, [r for r in runs if r.stage == 1])
                if len(mine) > 1
            ]
            if last > 1:  # a chain's result: its last stage against the first stage's matched baselines
                mine = [(r.seed, r.name, r.matched) for r in runs if r.stage == last]
                baseline = next((r.entry.name for r in runs if r.name == mine[0][2]), None)
                blocks = [({}, first.group, seed_block(first.group, baseline, mine, variants, outcomes))]
            if len(groups) > 1:
                at_values = [SweepPoint(value=v, group=str(n), seeds=b, holds=holds(b)) for v, n, b in blocks]
                record = sweep_record(entry.name, label, dict(params["sweep"]), at_values)
                add_sweep(summary, record)
                ctx.log(record["line"])
            elif blocks:
                add_seeds(summary, blocks[0][2])
            with np.load(dest / rundir.INSTANCES, allow_pickle=False) as npz:  # lazy: the images stay on disk
                warning = undertrained_warning(summary, npz)
            if warning is not None:
                add_warning(summary, warning)
                ctx.log(warning)

        summary = yield from analyze(
            study, out, workspace=ctx.workspace, loaded=an, finish=finish, dest=dest, executor=ex, log=ctx.log
        )
    finally:
        for one in staged:
            discard(one)  # a no-op once committed
    return summary


def timeline_of(settings: Any) -> tuple[int, bool]:
    """(points, keep best) of a method recording its timeline (a mitigation's `--timeline N`; 0: none)."""
    points = int(getattr(settings, "timeline", 0) or 0)
    return points, points > 0 and bool(getattr(settings, "keep_best", False))


def best_name(name: str) -> str:
    """The variant the checkpoint picked along `name`'s timeline is saved as."""
    return f"{name}-best"


def _best_record(record: dict[str, Any], r: Planned, point: Any) -> dict[str, Any]:
    """The record of a run's picked checkpoint: the run's own, a group of its own, where along the run it was."""
    out = {**record, "checkpoint": {"of": r.name, "step": point["step"], "epoch": point["epoch"]}}
    if "group" in out:
        out["group"] = f"{out['group']}-best"
    return out


@contextlib.contextmanager
def _recording(tl: Timeline | None, r: Planned, group: str) -> Iterator[None]:
    """While `r` trains: its timeline is recorded (when the job records one)."""
    if tl is None:
        yield
        return
    with tl.recording(r.name, r.entry.name, r.role, group, r.seed):
        yield


def shared_recipes(an: Analysis, runs: Sequence[Planned]) -> dict[str, RecipeRecord | None]:
    """Each run's recipe, resolved once (tltui.core.recipes); a method and its matched baseline with different
    recipes are refused before anything trains (docs/sweeps.md: one recipe per comparison)."""
    out = {r.name: recipe_of(an, r.entry, r.settings, runs) for r in runs}
    for r in runs:
        partner = next((p for p in runs if (p.seed, p.group, p.role) == (r.seed, r.group, "baseline")), None)
        if r.role == "method" and partner is not None and out[r.name] != out[partner.name]:
            raise ParamError(
                f"{r.name} and its baseline {partner.name} would train with different recipes "
                f"({out[r.name]} vs {out[partner.name]}): report this as a bug"
            )
    return out


@contextlib.contextmanager
def _sees(an: Analysis, r: Planned, runs: list[Planned], made: Mapping[str, nn.Module]) -> Iterator[None]:
    """While `r` runs: the untreated model it treats among the analysis's variants (built by this job, or reused),
    and none of the other seeds' (Dare's pool reads the variants), whether they were built now or reused."""
    others = {p.name for p in runs if p.name not in (r.needs, r.name)} if r.needs else set()
    hidden = {n: an.variants.pop(n) for n in others if n in an.variants}
    added = r.needs is not None and r.needs not in an.variants and r.needs in made
    if added:
        an.variants[str(r.needs)] = made[str(r.needs)]
    try:
        yield
    finally:
        if added:
            an.variants.pop(str(r.needs), None)
        an.variants.update(hidden)


def _target(settings: Any) -> str:
    """The variant a method starts from (a treatment's variant, a mitigation's base; a plugin's class that does
    not inherit `TrainParams`: finetune, as the shared student builder's default)."""
    return settings.start if isinstance(settings, TrainParams) else "finetune"


def _same(meta: dict[str, Any] | None, r: Planned) -> bool:
    """Whether a produced variant in the workspace is this planned run (same method, same parameters; a field
    added since it was recorded counts as the same when it is unset)."""
    if meta is None or meta.get("method") != r.entry.name or not isinstance(meta.get("params"), dict):
        return False
    had = meta["params"]
    return had == {k: v for k, v in as_json(r.settings).items() if k in had or v is not None}


def _reusable(r: Planned, runs: Sequence[Planned]) -> bool:
    """A baseline, or a chain's stage that a later stage starts from: taken from the workspace when the very same
    run (method, parameters) is there already."""
    return r.role == "baseline" or any(p.needs == r.name and p.stage > 1 for p in runs)


def _pairs(runs: list[Planned], settings: Any) -> list[tuple[int, str, str | None]]:
    """(seed, method variant, its baseline) per seed; treatments without a control compare with the variant."""
    fixed = _treated(settings)
    by_seed: dict[int, dict[str, str]] = {}
    for r in runs:
        by_seed.setdefault(r.seed, {})[r.role] = r.name
    return [(s, d["method"], d.get("baseline", fixed)) for s, d in sorted(by_seed.items())]


def _by_group(
    entry: Entry, groups: Sequence[tuple[dict[str, float], Any, str | None]], runs: list[Planned]
) -> list[tuple[dict[str, float], str, list[Planned]]]:
    """Per value of a sweep (one group without one): its value, the method's group name and its runs."""
    if len(groups) == 1:
        return [(groups[0][0], groups[0][2] or entry.name, runs)]
    return [(v, n or entry.name, [r for r in runs if r.group == (n or entry.name)]) for v, _, n in groups]


def _baseline_label(entry: Entry, settings: Any) -> str | None:
    if entry.baseline is not None:
        return entry.baseline + (
            " (control: " + ", ".join(f"{k}={v}" for k, v in entry.baseline_params) + ")"
            if entry.baseline_params
            else ""
        )
    return _treated(settings)
