"""Every job's entry point, in one place: each parses its JSON parameters and runs core work in the child process.

The catalogue (`tltui.base.catalogue.JOBS`) names these functions by "module:function"; the worker imports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tltui.base import outstage, rundir
from tltui.base.catalogue import RunParams
from tltui.base.catalogue.attacks import AA_QUERIES, AA_STEPS
from tltui.base.catalogue.params import build
from tltui.base.executor import executor_from
from tltui.base.outlock import holds
from tltui.base.progress import JobContext, Progress
from tltui.base.runfiles import save_json
from tltui.base.study import Study, load_study, with_attack
from tltui.base.trust import trusted
from tltui.core import ondemand
from tltui.core.analysis import Analysis
from tltui.core.device import resolve_device
from tltui.core.mitigate.preview import write_preview, write_seam_preview
from tltui.core.pipeline import analyze
from tltui.core.produce import method_params, produce


def _study(params: dict[str, Any]) -> Study:
    """The job's study, with the attack values the job sets over its [attack] (`--eps`, `--teacher-preset`, …)."""
    return with_attack(load_study(params["study"]), params)


def _out(params: dict[str, Any], ctx: JobContext) -> Path:
    return Path(params["out"]) if params.get("out") else ctx.run_dir


def _staged(out: Path, ctx: JobContext, steps: Iterator[Progress]) -> Iterator[Progress]:
    """A diagnosis into `out`: if it fails or is cancelled, its staging folder goes (tltui.base.outstage); the
    earlier run in `out` was never touched. Not when another job holds `out` (this one was refused)."""
    try:
        yield from steps
    finally:
        if holds(ctx.workspace, out):
            outstage.drop(out, outstage.staging_dir(out))


def analyze_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, out?, batch_size?, compile?, trust?; results go to `out` or the run directory."""
    study = _study(params)
    trust = trusted(params.get("trust"))
    study.check_trust(trust)
    run = build(RunParams, {"batch_size": params.get("batch_size"), "compile": params.get("compile")})
    steps = analyze(
        study,
        _out(params, ctx),
        workspace=ctx.workspace,
        device=ctx.device,
        batch_size=run.batch_size,
        trust=trust,
        compile=run.compile,
        executor=executor_from(params),
        log=ctx.log,
    )
    yield from _staged(_out(params, ctx), ctx, steps)


def mitigate_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, method, name?, out?, and the method's parameters (catalogue MITIGATIONS)."""
    yield from _staged(_out(params, ctx), ctx, produce("mitigation", _study(params), params, ctx))


def treat_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, method, name?, out?, and the treatment's parameters (catalogue TREATMENTS)."""
    yield from _staged(_out(params, ctx), ctx, produce("treatment", _study(params), params, ctx))


def localise_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, variant?, layers?, interventions?, rank_by?, top_k?, seed?, out? (or run: the workbench's
    shown run), batch_size?, trust?: layer interventions, written to interventions.json."""
    from tltui.core.localise.job import localise

    study = _study(params)
    trust = trusted(params.get("trust"))
    study.check_trust(trust)
    run = build(RunParams, {"batch_size": params.get("batch_size")})
    out = Path(params.get("out") or params.get("run") or ctx.run_dir)
    yield from localise(
        study, out, params, workspace=ctx.workspace, device=ctx.device, batch_size=run.batch_size, trust=trust
    )


def sweep_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: as mitigate's or treat's (`family` says which), and `sweep`: {recipe parameter: values}."""
    family = str(params.get("family", "mitigation"))
    yield from _staged(_out(params, ctx), ctx, produce(family, _study(params), params, ctx))


def details_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, run, indices (test-set positions): saliency, Grad-CAM and windows of those instances."""
    an, run = yield from ondemand.open_run(
        load_study(params["study"]), Path(params["run"]), ctx, trust=trusted(params.get("trust"))
    )
    yield from ondemand.details(an, run, [int(i) for i in params["indices"]])


def tsne_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, run, model?, perplexity?: a t-SNE projection of a model's penultimate features."""
    an, run = yield from ondemand.open_run(
        load_study(params["study"]), Path(params["run"]), ctx, trust=trusted(params.get("trust"))
    )
    yield from ondemand.tsne(
        an, run, str(params.get("model", "teacher")), float(params.get("perplexity", 40.0))
    )


def bench_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: out?, batch_size?, repeats?, compile?, analyze?, aa_steps?, aa_queries?, train?; study = "large" with n, arch?, steps?; executor?,
    ray_address?, workers?: writes bench.json (the performance benchmark; with study large, the real-scale one of
    the README; with executor ray, the Ray benchmark of docs/distributed.md)."""
    from tltui.core.bench import run_bench

    ex = executor_from(params)
    if ex.distributed and params.get("study") != "large":
        from tltui.core.bench_ray import run_ray_bench  # Ray is optional: only a Ray bench imports it

        ray_result = yield from run_ray_bench(ctx.device, ex, ctx.workspace, ctx.log)
        save_json(_out(params, ctx) / rundir.BENCH, ray_result)
        return
    if params.get("study") == "large":
        from tltui.core.benchlarge import run_large

        large = yield from run_large(
            ctx.device,
            workspace=ctx.workspace,
            n=int(params.get("n", 2000)),
            arch=params.get("arch"),
            batch_size=params.get("batch_size"),
            steps=int(params.get("steps", 2)),
            repeats=int(params.get("repeats", 3)),
            train=bool(params.get("train", False)),
            executor=ex if ex.distributed else None,
        )
        save_json(_out(params, ctx) / rundir.BENCH, large)
        return
    result = yield from run_bench(
        ctx.device,
        batch_size=params.get("batch_size"),
        repeats=int(params.get("repeats", 3)),
        compile=bool(params.get("compile", True)),
        analyze=bool(params.get("analyze", True)),
        train=bool(params.get("train", False)),
        workspace=ctx.workspace,
        aa_steps=int(params.get("aa_steps", AA_STEPS)),
        aa_queries=int(params.get("aa_queries", AA_QUERIES)),
    )
    save_json(_out(params, ctx) / rundir.BENCH, result)


def preview_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, out?, method (`remos`, the default, or `seam`) and its parameters: the preview the Mitigate
    view draws (ReMoS's slice order; SeaM's learnt mask)."""
    seam = params.get("method") == "seam"
    _, mp = method_params("mitigation", {**params, "method": "seam" if seam else "remos"})
    study, trust = load_study(params["study"]), trusted(params.get("trust"))
    study.check_trust(trust)
    an = Analysis(study, ctx.workspace, resolve_device(ctx.device), include_derived=False, trust=trust)
    yield from an.load()
    yield from (write_seam_preview if seam else write_preview)(an, mp, _out(params, ctx))
