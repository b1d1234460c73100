"""Every job's entry point, in one place: each parses its JSON parameters and runs core work in the child process.

The catalogue (`tltui.base.catalogue.JOBS`) names these functions by "module:function"; the worker imports them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from tltui.base import catalogue, rundir
from tltui.base.progress import JobContext, Progress
from tltui.base.rundir import keys
from tltui.base.runfiles import save_json, save_npz
from tltui.base.study import load_study
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.device import resolve_device
from tltui.core.pipeline import analyze
from tltui.core.produce import produce


def _out(params: dict[str, Any], ctx: JobContext) -> Path:
    return Path(params["out"]) if params.get("out") else ctx.run_dir


def analyze_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, out?, batch_size?, compile?, trust?; results go to `out` or the run directory."""
    yield from analyze(
        load_study(params["study"]),
        _out(params, ctx),
        workspace=ctx.workspace,
        device=ctx.device,
        batch_size=int(params.get("batch_size", 512)),
        trust=bool(params.get("trust", False)),
        compile=bool(params.get("compile", False)),
    )


def mitigate_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, method, name?, out?, and the method's parameters (catalogue MITIGATIONS)."""
    yield from produce("mitigation", load_study(params["study"]), params, ctx)


def treat_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, method, name?, out?, and the treatment's parameters (catalogue TREATMENTS)."""
    yield from produce("treatment", load_study(params["study"]), params, ctx)


def details_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, run, indices (test-set positions): saliency, Grad-CAM and windows of those instances."""
    from tltui.core import ondemand

    yield from ondemand.details_job(params, ctx)


def tsne_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, run, model, perplexity?: a t-SNE projection of the model's penultimate features."""
    from tltui.core import ondemand

    yield from ondemand.tsne_job(params, ctx)


def bench_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: out?, batch_size?, repeats?, compile?, analyze?: the performance benchmark."""
    from tltui.core import bench

    yield from bench.bench_job(params, ctx)


def preview_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """The ReMoS slice preview for the UI: the network-wide slice order as layer ids, so any ratio's per-layer
    cut is one numpy bincount (no torch, no job per slider step). Writes preview.npz and preview.json."""
    from tltui.core.mitigate import remos

    study = load_study(params["study"])
    mp = catalogue.MITIGATIONS["remos"].build(
        {s.name: params.get(s.name) for s in catalogue.MITIGATIONS["remos"].specs()}
    )
    an = Analysis(study, ctx.workspace, resolve_device(ctx.device), include_derived=False)
    yield from an.load()
    yield Progress("profile", 0, 1, "coverage profile of the teacher")
    layers = remos.scope_layers(an.teacher, mp)
    order = remos.preview_order(an, mp, layers)
    sizes = np.array([remos.conv_size(an.teacher, n) for n in layers], dtype=np.int64)
    out = Path(params["out"]) if params.get("out") else ctx.run_dir
    preview = {
        keys.PREVIEW_ORDER: order.astype(np.int16 if len(layers) < 2**15 else np.int32),
        keys.PREVIEW_LAYERS: np.array(layers),
        keys.PREVIEW_SIZES: sizes,
    }
    save_npz(out / rundir.PREVIEW_NPZ, **preview)
    save_json(
        out / rundir.PREVIEW_JSON,
        {
            "study": study.name,
            "params": dataclasses.asdict(mp),
            "head": M.head_name(an.teacher),
            **remos.preview(an, mp),
        },
    )
    yield Progress("profile", 1, 1, "done")
