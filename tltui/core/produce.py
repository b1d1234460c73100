"""Produce a variant (a mitigation or a treatment): build it, save it in the workspace, diagnose every variant."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from pathlib import Path
from typing import Any

from torch import nn

from tltui.base import catalogue, rundir
from tltui.base.catalogue import Entry, RunParams
from tltui.base.catalogue.params import build
from tltui.base.errors import ParamError
from tltui.base.progress import JobContext, Progress
from tltui.base.runfiles import save_json
from tltui.base.study import Study
from tltui.core.analysis import Analysis
from tltui.core.derived import check_name, derived_variants, remove_variant, save_variant
from tltui.core.device import resolve_device
from tltui.core.pipeline import analyze

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


def _arch_for(study: Study, base: str | None) -> str:
    if base is not None and base in study.names:
        return study.variant(base).arch
    return study.teacher.arch


def produce(
    family: str, study: Study, params: dict[str, Any], ctx: JobContext
) -> Generator[Progress, None, dict[str, Any]]:
    """Load the study once, run the method for a new model, register it, then diagnose every variant."""
    entry, settings = method_params(family, params)
    base = getattr(settings, "variant", None) or getattr(settings, "base", None)
    name = params.get("name") or entry.name
    if not params.get("name") and name in study.names:  # e.g. the `finetune` baseline beside the study's own
        name = f"{entry.name}-seed{getattr(settings, 'seed', 0)}"
    check_name(study, name)
    if bool(params.get("replace", True)):
        remove_variant(ctx.workspace, study, name)  # re-running a method replaces its earlier variant
    run = build(RunParams, {"batch_size": params.get("batch_size"), "compile": params.get("compile")})
    an = Analysis(
        study,
        ctx.workspace,
        resolve_device(ctx.device),
        batch_size=run.batch_size,
        trust=bool(params.get("trust", False)),
        compile=run.compile,
    )
    yield from an.load()
    model: nn.Module = yield from entry.load()(an, settings)
    record = {"kind": family, "method": entry.name, "base": base, "params": dataclasses.asdict(settings)}
    save_variant(ctx.workspace, study, name, model.cpu(), _arch_for(study, base), record)
    ctx.log(f"saved variant '{name}' ({family} {entry.name}); diagnosing all variants")
    for spec, meta in derived_variants(ctx.workspace, study):
        if spec.name == name:
            yield from an.add_variant(spec, meta)  # as saved: the same weights a later analysis reads
    out = Path(params["out"]) if params.get("out") else ctx.run_dir
    summary = yield from analyze(study, out, workspace=ctx.workspace, loaded=an)
    summary["produced"] = {"name": name, **record}
    save_json(out / rundir.SUMMARY, summary)
    return summary
