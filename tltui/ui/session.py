"""The workbench session, outside any widget: which study and run are shown, and the jobs started for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tltui.base.errors import ResultsError
from tltui.base.rundir import PREVIEW_NPZ, SUMMARY
from tltui.ui.jobs_client import JobsClient, results_dir, same_study, short_id, timestamp
from tltui.ui.rundata import RunData
from tltui.ui.studyinfo import DEMO, StudyInfo, read_study


@dataclass
class Session:
    """State the views are derived from; every job goes through `jobs` (tltui.jobs.api)."""

    study: str = DEMO
    device: str = "auto"
    jobs: JobsClient | None = None
    run_dir: Path | None = None
    """`--run DIR` from the command line: show exactly this run."""
    autostart: bool | None = None
    """Start the analysis when no finished one exists (default: only for the demo)."""
    analyze_kind: str = "analyze"
    """The job kind that diagnoses a study (tests substitute a fake one)."""
    run: RunData | None = None
    analysis_job: str | None = None
    computing: dict[str, str] = field(default_factory=dict)
    """On-demand jobs still running: job id → the file it writes into the shown run."""
    info: StudyInfo = field(init=False)

    def __post_init__(self) -> None:
        self.info = read_study(self.study)
        if self.autostart is None:
            self.autostart = self.study == DEMO

    @property
    def jobs_available(self) -> bool:
        return self.jobs is not None and self.jobs.available

    def initial_run(self) -> RunData | None:
        """`--run DIR` if given (a missing summary.json is a ResultsError), else the latest finished analysis."""
        if self.run_dir is not None:
            self.run = RunData.load(self.run_dir)
            return self.run
        if not self.jobs_available or self.jobs is None:
            return None
        latest = self.jobs.latest_run(self.analyze_kind, self.study)
        if latest is not None:
            self.run = RunData.load(latest)
        return self.run

    def start_analysis(self) -> str:
        assert self.jobs is not None
        self.analysis_job = self.jobs.submit(
            self.analyze_kind, {"study": self.study}, study=self.study, device=self.device
        )
        return self.analysis_job

    def submit(self, kind: str, params: dict[str, Any], variant: str | None = None) -> str:
        assert self.jobs is not None
        return self.jobs.submit(
            kind, {"study": self.study, **params}, study=self.study, variant=variant, device=self.device
        )

    def compute(self, kind: str, file: str, params: dict[str, Any]) -> str | None:
        """Start the on-demand job that writes `file` into the shown run (None: one is already running)."""
        if self.run is None or file in self.computing.values():
            return None
        job_id = self.submit(kind, {"run": str(self.run.run_dir), **params})
        self.computing[job_id] = file
        return job_id

    def computed(self, job_id: str) -> str | None:
        """The file an on-demand job was writing, once it ended (None: not one of ours)."""
        return self.computing.pop(job_id, None)

    def latest_preview(self) -> Path | None:
        """The newest finished slicing preview of this study (preview.npz), if any."""
        if not self.jobs_available or self.jobs is None:
            return None
        return self.jobs.latest_run("preview", self.study, marker=PREVIEW_NPZ)

    def preview_dir(self, job_id: str, run_dir: Path | None) -> Path | None:
        """Where a finished preview job wrote preview.npz."""
        if run_dir is not None and (run_dir / PREVIEW_NPZ).is_file():
            return run_dir
        try:
            return results_dir(self.jobs.get(job_id), PREVIEW_NPZ) if self.jobs is not None else None
        except Exception:  # a job the index no longer knows
            return None

    def finished(self, job_id: str, kind: str, status: str, run_dir: Path | None) -> RunData | None:
        """The run to show after a job ended, if it changes what is shown (else None)."""
        if status != "done" or run_dir is None:
            return None
        if not (run_dir / SUMMARY).is_file() and self.jobs is not None:
            try:
                run_dir = results_dir(self.jobs.get(job_id))
            except Exception:  # a job the index no longer knows
                return None
            if run_dir is None:
                return None
        if kind == self.analyze_kind and (
            job_id == self.analysis_job or self.run is None or self._ours(job_id)
        ):
            self.run = RunData.load(run_dir)
            return self.run
        if kind in ("mitigate", "treat") and self.run is not None and self._ours(job_id):
            try:
                self.run = self.run.merged(RunData.load(run_dir))
            except ResultsError:
                return None
            return self.run
        return None

    def _ours(self, job_id: str) -> bool:
        if self.jobs is None:
            return False
        try:
            return same_study(self.jobs.get(job_id).study, self.study)
        except Exception:  # a job the index no longer knows
            return False

    def runs(self) -> list[tuple[str, Path]]:
        """Finished runs of this study, newest first, as (label, run dir)."""
        out: list[tuple[str, Path]] = []
        if self.run is not None:
            out.append((f"current: {self.run.run_dir.name}", self.run.run_dir))
        if not self.jobs_available or self.jobs is None:
            return out
        jobs = [j for j in self.jobs.list_jobs(status="done", limit=30) if same_study(j.study, self.study)]
        jobs.sort(key=lambda j: timestamp(j.ended or j.created) or 0.0, reverse=True)
        for j in jobs:
            d = results_dir(j)
            if d is not None and d.resolve() not in [p.resolve() for _, p in out]:
                out.append((f"{j.kind} {short_id(j.id)}", d))
        return out
