"""What analyze, mitigate and treat share: checks before a job starts, and running it in the foreground or detached."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from tltui.base import rundir
from tltui.base.archs import ARCH_LAYERS
from tltui.base.budget import budget_text
from tltui.base.catalogue import Entry, RunParams
from tltui.base.catalogue.params import specs
from tltui.base.checklines import check_lines, checks_head
from tltui.base.errors import ParamError, TltuiError
from tltui.base.executor import check_executor, executor_from
from tltui.base.jobparams import job_params
from tltui.base.names import RESERVED, check_name, produced_name, shown
from tltui.base.study import Study
from tltui.base.workspace import make_dir, produced_names, resolve_workspace
from tltui.commands.flags import attack_given
from tltui.jobs import api
from tltui.jobs.foreground import raise_if_failed, run_foreground
from tltui.jobs.store import JobRecord


def study_ref(ref: str) -> str:
    return ref if ref == "demo" else str(Path(ref).expanduser().resolve())


def writable_out(text: str) -> Path:
    """`--out` as an absolute directory that exists (created) and can be written, or a one-line error."""
    out = make_dir(Path(text).expanduser().resolve(), "it", "give --out another directory", ParamError)
    if not os.access(out, os.W_OK | os.X_OK):
        raise ParamError(f"--out {out}: not writable; choose another directory")
    return out


def run_given(args: argparse.Namespace) -> dict[str, Any]:
    """--batch-size, the executor flags (and --compile where the command has it) as given (name -> text)."""
    return {
        s.name: getattr(args, s.name) for s in specs(RunParams) if getattr(args, s.name, None) is not None
    }


def checked_job_params(
    entry: Entry, given: dict[str, Any], args: argparse.Namespace, study: Study
) -> dict[str, Any]:
    """`job_params` of the method's flags `given`, the attack flags and the run flags, with the study's layers and
    variants where a flag names one; then the executor checked (`--executor ray` needs Ray installed and, with
    --ray-address, a cluster that answers)."""
    names = {s.name for s in entry.specs()} if entry.params is not RunParams else set()
    workspace = resolve_workspace(args.workspace) if names else None
    layers = variants = None
    if workspace is not None and any(s.layers and given.get(s.name) is not None for s in entry.specs()):
        layers = known_layers(
            study, workspace
        )  # None until the first analysis: the job checks the model then
    if workspace is not None and "variant" in names:
        variants = [*study.names, *produced_names(workspace, study)]
    raw = {**given, **attack_given(args), **run_given(args)}
    values = job_params(entry, raw, study, layers=layers, variants=variants)
    check_executor(executor_from(values))
    return values


def known_layers(study: Study, workspace: Path) -> list[tuple[str, str]] | None:
    """(name, kind) of the study's model layers, when known without torch: a built-in architecture's, or from
    the newest finished run of this study in the workspace; None when nothing is known yet."""
    if study.teacher.arch in ARCH_LAYERS:
        return list(ARCH_LAYERS[study.teacher.arch])
    for job in api.list_jobs(workspace, status="done"):
        if job.study != study.name or job.kind not in ("analyze", "mitigate", "treat"):
            continue
        d = rundir.job_results(job)
        if d is None:
            continue
        try:
            summary = rundir.read_summary(d / rundir.SUMMARY)
        except TltuiError:
            continue  # an earlier run's damaged summary tells nothing: the job checks the model itself
        layers = [x for x in summary.layers if isinstance(x, dict)]
        if layers:
            return [(str(x.get("name")), str(x.get("kind", ""))) for x in layers]
    return None


def method_job_params(
    entry: Entry, given: dict[str, Any], args: argparse.Namespace, study: Study, ref: str
) -> dict[str, Any]:
    """Validated job parameters of a mitigate/treat command (before anything is submitted)."""
    values = checked_job_params(entry, given, args, study)
    name = produced_name(args.name, entry.name, int(values.get("seed", 0)), study.names)
    check_name(name, "--name", ParamError)
    if name in study.names or name in RESERVED:
        raise ParamError(f"--name {name}: the study already has a model of that name; choose another")
    study.check_trust(args.trust_code)
    out = writable_out(args.out)
    return {
        "study": ref,
        "out": str(out),
        "name": args.name,  # None: the job names it (per seed with --seeds), by the rule checked above
        **values,
        "trust": args.trust_code,
    }


def run_job(
    kind: str,
    params: dict[str, Any],
    args: argparse.Namespace,
    *,
    study: str | None = None,
    variant: str | None = None,
) -> JobRecord | None:
    """Submit a job; follow it with a progress bar (None when --detach), raising its error if it failed."""
    job_id = api.submit(
        kind, params, study=study, variant=variant, device=args.device, workspace=args.workspace
    )
    if getattr(args, "detach", False):
        print(job_id)
        return None
    print(
        f"job {job_id} ({kind}) · follow it elsewhere with `tltui jobs logs {job_id} --follow`",
        file=sys.stderr,
    )
    return raise_if_failed(run_foreground(job_id, args.workspace))


def run_and_report(
    kind: str,
    params: dict[str, Any],
    args: argparse.Namespace,
    out: Path,
    *,
    study: str | None = None,
    variant: str | None = None,
) -> int:
    """Run a job that writes `out/summary.json`, then print its metric table (nothing more under --detach)."""
    if run_job(kind, params, args, study=study, variant=variant) is None:
        return 0
    summary = rundir.read_summary(out / rundir.SUMMARY)
    print_summary(summary)
    print_tuning(summary)
    print_checks(summary)
    print_timeline(summary)
    print(f"wrote {shown(out / rundir.SUMMARY)}")
    return 0


def print_summary(summary: rundir.RunSummary | rundir.Summary, stream: Any = sys.stdout) -> None:
    """A readable metric table, one row per variant."""
    info = summary if isinstance(summary, rundir.RunSummary) else rundir.RunSummary(summary)
    rows = [["variant", *[m.key.upper() if len(m.key) <= 3 else m.key for m in rundir.METRICS]]]
    for name, v in info.variants.items():
        rows.append([shown(name), *["—" if m.raw(v) is None else f"{m.raw(v):.3f}" for m in rundir.METRICS]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(f"study {shown(info.study)} · device {info.device} · {info.n_test} test images", file=stream)
    print(f"white-box attack (AAI, DR, ε-curves): {shown(budget_text(info.attack))}", file=stream)
    if info.teacher_attack is not None:
        print(f"teacher attack (DIR): {shown(budget_text(info.teacher_attack))}", file=stream)
    for i, r in enumerate(rows):
        print(
            "  ".join(
                c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths, strict=True))
            ),
            file=stream,
        )
        if i == 0:
            print("  ".join("-" * w for w in widths), file=stream)
    src = info.source_acc
    if src is not None:
        print(f"teacher source accuracy {src:.3f}", file=stream)


def print_tuning(summary: rundir.RunSummary, stream: Any = sys.stdout) -> None:
    """The recipe `--tune-baseline` chose (each candidate's validation accuracy) and the run's warnings."""
    t = summary.tuning
    if t is not None:

        def recipe(c: Any) -> str:
            return f"lr {c['lr']:g}" + ("" if c["epochs"] is None else f", epochs {c['epochs']}")

        tried = "; ".join(f"{recipe(c)}: {c['val_accuracy']:.3f}" for c in t["candidates"])
        print(
            f"tuned {shown(t['trained'])} on {t['n_val']} validation images ({tried}): chose {recipe(t['chosen'])}",
            file=stream,
        )
    for line in summary.warnings:
        print(shown(line), file=stream)


def print_checks(summary: rundir.RunSummary, stream: Any = sys.stdout) -> None:
    """`checks: 10 ran on 4 models, 1 finding (0 acknowledged)`, then a line per finding (docs/checks.md)."""
    block = summary.checks
    if block is None:
        return
    print(checks_head(block) + " · docs/checks.md", file=stream)
    for line in check_lines(block):
        print(f"  {line}", file=stream)


def print_timeline(summary: rundir.RunSummary, stream: Any = sys.stdout) -> None:
    """A `--timeline` run's groups: the area under their front, where the rule picked, what was kept."""
    from tltui.base import timeline

    block = summary.timeline
    if block is None:
        return
    print(f"timeline: {timeline.note(block)}", file=stream)
    for row in timeline.rows(block["runs"]):
        cells = dict(zip(timeline.COLUMNS, row, strict=True))
        print(
            "  " + "; ".join(f"{k} {v}" if k != "group" else shown(v) for k, v in cells.items() if v != "—"),
            file=stream,
        )


def _num(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) else "—"
