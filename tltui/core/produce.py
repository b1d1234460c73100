"""Produce a variant (a mitigation or a treatment): build it, save it in the workspace, diagnose every variant."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from tltui.base import catalogue, rundir
from tltui.base.baselinecheck import undertrained_warning
from tltui.base.catalogue import Entry, RunParams, TrainParams, TreatParams
from tltui.base.catalogue.params import as_json, build
from tltui.base.errors import ParamError
from tltui.base.executor import executor_from
from tltui.base.intervals import Outcomes
from tltui.base.names import produced_name
from tltui.base.progress import JobContext, Progress
from tltui.base.rundir import RunSummary, Summary
from tltui.base.rundir.shape import TuningRecord
from tltui.base.rundir.writer import add_produced, add_seeds, add_timeline, add_tuning, add_warning
from tltui.base.seedstats import seed_block
from tltui.base.study import Study
from tltui.base.trust import trusted
from tltui.core.analysis import Analysis
from tltui.core.derived import Staged, check_name, commit, derived_variants, discard, stage_variant
from tltui.core.device import resolve_device
from tltui.core.pipeline import analyze, begin_run
from tltui.core.scripted import is_scripted, refuse_changes
from tltui.core.timeline import Timeline
from tltui.core.tune import tune

FAMILIES: dict[str, dict[str, Entry]] = {
    "mitigation": catalogue.MITIGATIONS,
    "treatment": catalogue.TREATMENTS,
}


def method_params(family: str, params: dict[str, Any]) -> tuple[Entry, Any]:
    """The catalogue entry of `params['method']` and its validated parameters (the method's own fields only)."""
    entries = FAMILIES[family]
    method = params.get("method")
    entry = entries.get(str(method))
    if entry is None:
        raise ParamError(f"--method {method!r}: choose one of {', '.join(entries)}")
    return entry, entry.build({s.name: params.get(s.name) for s in entry.specs()})


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


def plan(family: str, entry: Entry, settings: Any, given_name: str | None, study: Study) -> list[Planned]:
    """One run for a single seed (named as before); for `seeds` = N > 1, `<name>-s<seed>` for each seed, each
    with its matched same-seed baseline (the entry's `baseline`, e.g. finetune, or Model Doctor's α = 0; a
    treatment without one: the untreated model built at that seed, first, and the seed's run treats it)."""
    seed, seeds = (settings.seed, settings.seeds) if isinstance(settings, TrainParams) else (0, 1)
    if seeds <= 1 and not (
        tuned(settings) and entry.baseline is not None
    ):  # a tuned run has its matched baseline
        return [
            Planned(produced_name(given_name, entry.name, seed, study.names), entry, settings, "method", seed)
        ]
    runs = []
    for s in range(seed, seed + seeds):
        one = dataclasses.replace(settings, seed=s, seeds=1)
        name = f"{given_name or entry.name}-s{s}"
        untreated = untreated_run(family, entry, one, study)
        if untreated is not None:
            b_entry, b_settings = untreated
            b_name = (
                f"{b_entry.name}-s{s}"  # the name a mitigation group gives its finetune: one model for both
            )
            runs.append(Planned(b_name, b_entry, b_settings, "baseline", s))
            runs.append(Planned(name, entry, dataclasses.replace(one, variant=b_name), "method", s, b_name))
            continue
        runs.append(Planned(name, entry, one, "method", s))
        if entry.baseline is not None:
            b_entry, b_settings = baseline_run(family, entry, one)
            suffix = "-control" if entry.baseline_params else ""
            runs.append(Planned(f"{b_entry.name}{suffix}-s{s}", b_entry, b_settings, "baseline", s))
    return runs


def untreated_run(family: str, entry: Entry, one: Any, study: Study) -> tuple[Entry, Any] | None:
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
    return b_entry, dataclasses.replace(b_entry.build({"seed": one.seed}), base=variant)


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
    return b_entry, b_entry.build({**values, **dict(entry.baseline_params)})


def _tuned_target(family: str, entry: Entry, settings: Any) -> tuple[Entry, Any]:
    """What `--tune-baseline` trains per grid point: the method's baseline, or a mitigation baseline itself."""
    if entry.baseline is not None:
        return baseline_run(family, entry, dataclasses.replace(settings, seeds=1))
    if family == "mitigation":
        return entry, dataclasses.replace(settings, seeds=1)
    raise ParamError(
        f"--tune-baseline: {entry.name} has no trained baseline to tune (it compares with the untreated variant)"
    )


def produce(
    family: str, study: Study, params: dict[str, Any], ctx: JobContext
) -> Generator[Progress, None, Summary]:
    """Load the study once, run the method (for each seed, with its matched baseline), diagnose every variant, then
    put the new ones in place.

    A variant of the same name made earlier stays in place (and in every other analysis) until this job has
    succeeded: the new one is written under a temporary name and renamed over it just before summary.json. A
    baseline already in the workspace with the very same parameters is reused, not trained again."""
    entry, settings = method_params(family, params)
    runs = plan(family, entry, settings, params.get("name"), study)
    points, keep = timeline_of(settings)
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
        else {r.name for r in runs if r.role == "baseline" and _same(existing.get(r.name), r)}
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
        target, target_settings = _tuned_target(family, entry, settings)
        tuning, best = yield from tune(an, target, target_settings, ctx.log)
        settings = dataclasses.replace(settings, lr=tuning["chosen"]["lr"], epochs=tuning["chosen"]["epochs"])
        runs = plan(
            family, entry, settings, params.get("name"), study
        )  # the same names, at the chosen recipe
        chosen = dataclasses.replace(target_settings, lr=settings.lr, epochs=settings.epochs)
        same = [r for r in runs if r.entry.name == target.name and r.settings == chosen]
        if (
            same and not points
        ):  # the winner is that run already (same entry, recipe, seed): not trained twice
            built[same[0].name] = best
    todo = [r for r in runs if r.name not in reused]
    if ex.distributed and len(todo) > 1:
        from tltui.core.distributed.seeds import build_all  # Ray is optional: only a Ray job imports it

        # a treatment of a seed's untreated model runs here, after it, seeing what `_sees` gives it (as locally)
        free = [r for r in todo if r.name not in built and r.needs is None]
        built = {**(yield from build_all(an, free, ex, ctx.log)), **built}
    made: dict[str, nn.Module] = {}
    kept: dict[str, str] = {}
    group = params.get("name") or entry.name
    try:
        for r in runs:
            if r.name in reused:
                ctx.log(f"reusing baseline '{r.name}' ({r.entry.name}, seed {r.seed}): same parameters")
                continue
            with _sees(an, r, runs, made), _recording(tl, r, group):
                model: nn.Module = (
                    built.pop(r.name) if r.name in built else (yield from r.entry.load()(an, r.settings))
                )
            if r.role == "baseline":
                made[r.name] = model
            base = _target(r.settings)
            record: dict[str, Any] = {
                "kind": family_of(r.entry, family),
                "method": r.entry.name,
                "base": base,
                "params": dataclasses.asdict(r.settings),
            }
            if len(runs) > 1:
                record.update(role=r.role, group=group, seed=r.seed)
            if tuning is not None:
                record["tuning"] = tuning
            staged.append(
                stage_variant(ctx.workspace, study, r.name, model.cpu(), _arch_for(study, base, runs), record)
            )
            ctx.log(f"made variant '{r.name}' ({family} {r.entry.name})")
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
            first = next(r for r in runs if r.role == "method")
            add_produced(summary, first.name, an.derived[first.name], [r.name for r in runs])
            if tuning is not None:
                add_tuning(summary, tuning)
            if tl is not None:
                block = tl.block(kept)
                add_timeline(summary, block)
                ctx.log(f"timeline: evaluating took {block['overhead']:.1%} of the training time")
            if len(runs) > 1:
                pairs = _pairs(runs, settings)
                add_seeds(
                    summary,
                    seed_block(
                        entry.name,
                        _baseline_label(entry, settings),
                        pairs,
                        RunSummary(summary).variants,
                        outcomes,
                    ),
                )
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


@contextlib.contextmanager
def _sees(an: Analysis, r: Planned, runs: list[Planned], made: Mapping[str, nn.Module]) -> Iterator[None]:
    """While `r` runs: the untreated model it treats among the analysis's variants (built by this job, or reused),
    and none of the other seeds' (Dare's pool reads the variants), whether they were built now or reused."""
    others = {p.name for p in runs if p.role == "baseline" and p.name != r.needs} if r.needs else set()
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


def _treated(settings: Any) -> str | None:
    """A treatment's untreated variant (what a treatment without a control is compared with)."""
    return settings.variant if isinstance(settings, TreatParams) else None


def _same(meta: dict[str, Any] | None, r: Planned) -> bool:
    """Whether a produced variant in the workspace is this planned run (same method, same parameters)."""
    return (
        meta is not None and meta.get("method") == r.entry.name and meta.get("params") == as_json(r.settings)
    )


def _pairs(runs: list[Planned], settings: Any) -> list[tuple[int, str, str | None]]:
    """(seed, method variant, its baseline) per seed; treatments without a control compare with the variant."""
    fixed = _treated(settings)
    by_seed: dict[int, dict[str, str]] = {}
    for r in runs:
        by_seed.setdefault(r.seed, {})[r.role] = r.name
    return [(s, d["method"], d.get("baseline", fixed)) for s, d in sorted(by_seed.items())]


def _baseline_label(entry: Entry, settings: Any) -> str | None:
    if entry.baseline is not None:
        return entry.baseline + (
            " (control: " + ", ".join(f"{k}={v}" for k, v in entry.baseline_params) + ")"
            if entry.baseline_params
            else ""
        )
    return _treated(settings)
