"""Jobs that produce a variant (mitigation, treatment): build it, save it in the workspace, diagnose everything."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from tltui.base.errors import StudyError
from tltui.base.progress import JobContext, Progress
from tltui.base.runfiles import save_json, save_npz
from tltui.base.study import Study, load_study
from tltui.core import models as M
from tltui.core.derived import check_name, remove_variant, save_variant
from tltui.core.device import resolve_device
from tltui.core.pipeline import Analysis, analyze


def _fields(cls: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The entries of `params` that are fields of dataclass `cls` (None means: the field's default)."""
    names = {f.name for f in dataclasses.fields(cls)}
    out = {}
    for k, v in params.items():
        if k in names and v is not None:
            out[k] = tuple(v) if isinstance(v, list) else v
    return out


def _arch_for(study: Study, base: str | None) -> str:
    if base is not None and base in study.names:
        return study.variant(base).arch
    return study.teacher.arch


def _produce(
    study: Study,
    ctx: JobContext,
    params: dict[str, Any],
    kind: str,
    method: str,
    make: Any,
    base: str | None,
    settings: dict[str, Any],
) -> Generator[Progress, None, None]:
    """Load the study, run `make(an)` for the new model, register it, then run the full diagnosis."""
    name = params.get("name") or method
    if not params.get("name") and name in study.names:  # e.g. the `finetune` baseline beside the study's own
        name = f"{method}-seed{settings.get('seed', 0)}"
    replace = bool(params.get("replace", True))
    if replace:
        remove_variant(ctx.workspace, study, name)  # re-running a method replaces its earlier variant
    check_name(study, name)
    an = Analysis(
        study,
        ctx.workspace,
        resolve_device(ctx.device),
        batch_size=int(params.get("batch_size", 512)),
        trust=bool(params.get("trust", False)),
    )
    yield from an.load()
    model: nn.Module = yield from make(an)
    save_variant(
        ctx.workspace,
        study,
        name,
        model.cpu(),
        _arch_for(study, base),
        {"kind": kind, "method": method, "base": base, "params": settings},
    )
    ctx.log(f"saved variant '{name}' ({kind} {method}); diagnosing all variants")
    out = Path(params["out"]) if params.get("out") else ctx.run_dir
    summary = yield from analyze(
        study,
        out,
        workspace=ctx.workspace,
        device=ctx.device,
        batch_size=int(params.get("batch_size", 512)),
        trust=bool(params.get("trust", False)),
    )
    summary["produced"] = {"name": name, "kind": kind, "method": method, "base": base, "params": settings}
    save_json(out / "summary.json", summary)


def mitigate_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, method, name?, out?, and MitigateParams fields (ratio, threshold, criterion, …)."""
    from tltui.core.mitigate import METHODS, MitigateParams
    from tltui.core.mitigate.params import check

    study = load_study(params["study"])
    method = params["method"]
    if method not in METHODS:
        raise StudyError(f"--method {method!r}: choose one of {', '.join(METHODS)}")
    mp = MitigateParams(**_fields(MitigateParams, params))
    check(mp)
    yield from _produce(
        study,
        ctx,
        params,
        "mitigation",
        method,
        lambda an: METHODS[method](an, mp),
        mp.base,
        dataclasses.asdict(mp),
    )


def treat_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """params: study, method, name?, out?, and TreatParams fields (variant, layer, alpha, …)."""
    from tltui.core.treat import TREATMENTS
    from tltui.core.treat.params import TreatParams

    study = load_study(params["study"])
    method = params["method"]
    if method not in TREATMENTS:
        raise StudyError(f"--method {method!r}: choose one of {', '.join(TREATMENTS)}")
    tp = TreatParams(**_fields(TreatParams, params))
    yield from _produce(
        study,
        ctx,
        params,
        "treatment",
        method,
        lambda an: TREATMENTS[method](an, tp),
        tp.variant,
        dataclasses.asdict(tp),
    )


def preview_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """The ReMoS slice preview for the UI: the network-wide slice order as layer ids, so any ratio's per-layer
    cut is one numpy bincount (no torch, no job per slider step). Writes preview.npz and preview.json."""
    from tltui.core.mitigate import MitigateParams, remos

    study = load_study(params["study"])
    mp = MitigateParams(**_fields(MitigateParams, params))
    an = Analysis(study, ctx.workspace, resolve_device(ctx.device), include_derived=False)
    yield from an.load()
    yield Progress("profile", 0, 1, "coverage profile of the teacher")
    layers = remos.scope_layers(an.teacher, mp)
    order = remos.preview_order(an, mp, layers)
    sizes = np.array([remos.conv_size(an.teacher, n) for n in layers], dtype=np.int64)
    out = Path(params["out"]) if params.get("out") else ctx.run_dir
    save_npz(
        out / "preview.npz",
        order=order.astype(np.int16 if len(layers) < 2**15 else np.int32),
        layers=np.array(layers),
        sizes=sizes,
    )
    save_json(
        out / "preview.json",
        {
            "study": study.name,
            "params": dataclasses.asdict(mp),
            "head": M.head_name(an.teacher),
            **remos.preview(an, mp),
        },
    )
    yield Progress("profile", 1, 1, "done")
