"""The workbench session, outside any widget: which study and run are shown, and the jobs started for it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tltui.base.rundir import PREVIEW_NPZ, SUMMARY
from tltui.base.rundir import job_results as results_dir
from tltui.ui.model.jobs_client import JobsClient
from tltui.ui.model.rundata import RunData
from tltui.ui.model.state import RunRef, run_label, state_key, study_runs, study_state
from tltui.ui.model.studyinfo import DEMO, StudyInfo, read_study


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
    trust: bool = False
    """`tltui open --trust-code`: the jobs this workbench starts may run code from the study's files."""
    analyze_kind: str = "analyze"
    """The job kind that diagnoses a study (tests substitute a fake one)."""
    produce_kinds: tuple[str, ...] = ("mitigate", "treat", "sweep")
    """The job kinds that produce a variant and diagnose every variant (tests substitute fake ones)."""
    preview_kind: str = "preview"
    """The job kind that writes a slicing preview (tests substitute a fake one)."""
    run: RunData | None = None
    analysis_job: str | None = None
    computing: dict[str, str] = field(default_factory=dict)
    """On-demand jobs still running: job id → the file it writes into the shown run."""
    submitted: set[str] = field(default_factory=set)
    """Jobs this session started (their results are shown when they end; others' are offered)."""
    showing_state: bool = False
    """Whether `run` is the study state (else one run the user chose, or `--run DIR`)."""
    newer: str = ""
    """The name of a run that ended elsewhere since the state was shown ("" when none is waiting)."""
    _info: StudyInfo | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.autostart is None:
            self.autostart = self.study == DEMO

    @property
    def info(self) -> StudyInfo:
        """The study as the explorer shows it, read when first needed (after the first frame)."""
        if self._info is None:
            self._info = read_study(self.study)
        return self._info

    @property
    def jobs_available(self) -> bool:
        return self.jobs is not None and self.jobs.available

    @property
    def producers(self) -> tuple[str, ...]:
        return (self.analyze_kind, *self.produce_kinds)

    def initial_run(self) -> RunData | None:
        """`--run DIR` if given (a missing summary.json is a ResultsError), else the study state."""
        if self.run_dir is not None:
            folder = self.run_dir.expanduser().resolve()
            label = next((r.label for r in self.study_runs() if r.path == folder), "")
            run = RunData.load(folder)
            self.run, self.showing_state = (run.named(label) if label else run), False
            return self.run
        return self.load_state()

    def study_runs(self) -> list[RunRef]:
        return study_runs(self.jobs, self.study, self.producers)

    def load_state(self, ended: RunRef | None = None) -> RunData | None:
        """The newest diagnosis of every variant of the study (None: no finished run yet); `ended` is a run
        that just ended, in case the job index does not list it as done yet."""
        self.newer = ""
        refs = self.study_runs()
        if ended is not None and ended.job_id not in [r.job_id for r in refs]:
            refs.insert(0, ended)
        state = study_state(refs)
        if state is not None:
            self.run, self.showing_state = state, True
        return self.run

    def start_analysis(self) -> str:
        assert self.jobs is not None
        self.analysis_job = self.jobs.submit(
            self.analyze_kind, {"study": self.study, **self._consent()}, study=self.study, device=self.device
        )
        self.submitted.add(self.analysis_job)
        return self.analysis_job

    def _consent(self) -> dict[str, bool]:
        """`tltui open --trust-code`'s consent, given to every job this workbench starts (in its parameters)."""
        return {"trust": True} if self.trust else {}

    def submit(self, kind: str, params: dict[str, Any], variant: str | None = None) -> str:
        assert self.jobs is not None
        if variant is None and kind in ("mitigate", "treat"):
            variant = str(params.get("name") or params.get("method") or "") or None
        job_id = self.jobs.submit(
            kind,
            {"study": self.study, **params, **self._consent()},
            study=self.study,
            variant=variant,
            device=self.device,
        )
        self.submitted.add(job_id)
        return job_id

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
        return self.jobs.latest_run(self.preview_kind, self.study, marker=PREVIEW_NPZ)

    def preview_dir(self, job_id: str, run_dir: Path | None) -> Path | None:
        """Where a finished preview job wrote preview.npz."""
        if run_dir is not None and (run_dir / PREVIEW_NPZ).is_file():
            return run_dir
        try:
            return results_dir(self.jobs.get(job_id), PREVIEW_NPZ) if self.jobs is not None else None
        except Exception:  # a job the index no longer knows
            return None

    def finished(self, job_id: str, kind: str, status: str, run_dir: Path | None) -> RunData | None:
        """The state to show after a job ended, if it changes what is shown (else None). A diagnosing run
        started elsewhere is never shown unasked: `newer` names it and the app offers it."""
        if status != "done" or kind not in self.producers:
            return None
        if job_id not in self.submitted:
            ref = next((r for r in self.study_runs() if r.job_id == job_id), None)
            if ref is not None and ref.path not in state_key(self.run):
                self.newer = ref.label
            return None
        previous = self.run
        folder = run_dir if run_dir is not None and (run_dir / SUMMARY).is_file() else None
        if folder is None and self.jobs is not None:
            try:
                folder = results_dir(self.jobs.get(job_id))
            except Exception:  # a job the index no longer knows
                folder = None
        ended = (
            RunRef(folder.resolve(), run_label(kind, job_id), job_id, kind, time.time()) if folder else None
        )
        state = self.load_state(ended)
        return state if state is not None and state_key(state) != state_key(previous) else None

    def runs(self) -> list[tuple[str, Path]]:
        """Finished runs of this study, newest first, as (name, run dir); the shown run first if it is none."""
        out = [(r.label, r.path) for r in self.study_runs()]
        if self.run is not None and self.run.run_dir not in [p for _, p in out]:
            out.insert(0, (self.run.name, self.run.run_dir))
        return out
