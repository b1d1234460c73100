"""The files of a run directory and the job kind that writes each one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SUMMARY = "summary.json"
OVERALL = "overall.json"
INSTANCES = "instances.npz"
PROJECTION = "projection.npz"
FEATURES_JSON = "features.json"
FEATURES_NPZ = "features.npz"
DETAILS = "details.npz"
LAYERS_JSON = "layers.json"
LAYERS_NPZ = "layers.npz"
PREVIEW_NPZ = "preview.npz"
PREVIEW_JSON = "preview.json"
INTERVENTIONS = "interventions.json"
"""What `tltui localise` writes (layer interventions, docs/localise.md), beside an analysis run or alone."""
BENCH = "bench.json"
"""What `tltui bench` writes (speed and memory figures)."""
EXPORTS = "exports"
"""The folder the UI's table exports go to (CSV/JSON written by the user, never read back)."""

ANALYZE_FILES: tuple[str, ...] = (
    SUMMARY,
    OVERALL,
    INSTANCES,
    PROJECTION,
    FEATURES_JSON,
    FEATURES_NPZ,
    DETAILS,
    LAYERS_JSON,
    LAYERS_NPZ,
)
"""What `analyze` writes (so do `mitigate` and `treat`: they re-diagnose every model)."""
PREVIEW_FILES: tuple[str, ...] = (PREVIEW_NPZ, PREVIEW_JSON)
"""What the `preview` job (ReMoS slice preview) writes, in its own run directory."""

ARTIFACTS: dict[str, str] = {
    **dict.fromkeys(ANALYZE_FILES, "analyze"),
    **dict.fromkeys(PREVIEW_FILES, "preview"),
    INTERVENTIONS: "localise",
}
"""Every fixed file name and the job kind that writes it; see also `details_name` and `tsne_name`."""

_DETAILS_PREFIX, _TSNE_PREFIX, _NPZ = "details-", "tsne-", ".npz"


def details_name(index: int) -> str:
    """The file the on-demand `details` job writes for test instance `index`."""
    return f"{_DETAILS_PREFIX}{int(index)}{_NPZ}"


def tsne_name(model: str) -> str:
    """The file the on-demand `tsne` job writes for `model` (the teacher or a variant)."""
    return f"{_TSNE_PREFIX}{model}{_NPZ}"


def producer(name: str) -> str | None:
    """The job kind that writes the run file `name`, None for a name that is no part of the format."""
    if name in ARTIFACTS:
        return ARTIFACTS[name]
    if name.endswith(_NPZ):
        stem = name[: -len(_NPZ)]
        if stem.startswith(_DETAILS_PREFIX) and stem[len(_DETAILS_PREFIX) :].isdigit():
            return "details"
        if stem.startswith(_TSNE_PREFIX) and len(stem) > len(_TSNE_PREFIX):
            return "tsne"
    return None


def job_results(job: Any, marker: str = SUMMARY) -> Path | None:
    """Where a finished job's `marker` file is: its run directory, or the `--out` its spec.json names."""
    d = getattr(job, "run_dir", None)
    if not d or getattr(job, "status", "done") != "done":
        return None  # a failed re-run's --out may hold the earlier finished run: not this job's
    if (Path(d) / marker).is_file():
        return Path(d)
    try:
        out = json.loads((Path(d) / "spec.json").read_text()).get("params", {}).get("out")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(out) if out and (Path(out) / marker).is_file() else None
