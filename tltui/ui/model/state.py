"""A study's state: the newest diagnosis of every variant across the study's finished runs, each named once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tltui.base.errors import ResultsError
from tltui.base.rundir import job_results as results_dir
from tltui.ui.model.jobs_client import JobsClient, same_study, short_id, timestamp
from tltui.ui.model.rundata import RunData

PRODUCERS = ("analyze", "mitigate", "treat", "sweep")
"""Job kinds whose run directory holds a diagnosis of variants (summary.json)."""


def run_label(kind: str, job_id: str) -> str:
    """The one name of a job's run, everywhere (explorer, status bar, tables, palette): `analyze 151504-ad13`."""
    return f"{kind.rsplit(':', 1)[-1]} {short_id(job_id)}"


@dataclass(frozen=True)
class RunRef:
    """A finished run of the study: its folder, its name and when it ended."""

    path: Path
    label: str
    job_id: str
    kind: str
    ended: float


def study_runs(jobs: JobsClient | None, study: str, kinds: Iterable[str] = PRODUCERS) -> list[RunRef]:
    """The study's finished diagnosing runs, newest first."""
    if jobs is None or not jobs.available:
        return []
    wanted = set(kinds)
    refs: list[RunRef] = []
    for job in jobs.list_jobs(status="done"):
        if job.kind not in wanted or not same_study(job.study, study):
            continue
        folder = results_dir(job)
        if folder is not None:
            ended = timestamp(getattr(job, "ended", None) or job.created) or 0.0
            refs.append(RunRef(folder.resolve(), run_label(job.kind, job.id), job.id, job.kind, ended))
    refs.sort(key=lambda r: r.ended, reverse=True)
    return refs


def study_state(refs: list[RunRef]) -> RunData | None:
    """The newest run, with every variant it lacks joined in from the newest older run that has it."""
    state: RunData | None = None
    for ref in refs:
        try:
            run = RunData.load(ref.path).named(ref.label)
        except ResultsError:
            continue  # an unreadable or older-format run: the others still make a state
        if state is None:
            state = run
            continue
        missing = [n for n in run.variants if n not in state.variants]
        if missing:
            state = state.merged(run, missing)
    return state


def state_key(run: RunData | None) -> tuple[Any, ...]:
    """What distinguishes two states: the runs they were made of."""
    return () if run is None else (run.run_dir, *run.merged_from)
