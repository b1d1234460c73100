"""The run-directory format: file names, npz key families, the format version (no numpy: see `.tables`).

Writers (tltui.core) and readers (tltui.ui, tests) build and parse every file name and array key here and
nowhere else; docs/run-directory.md describes the format. Tables derived from the arrays (the instance
table, Model Doctor maps) live in `tltui.base.rundir.tables`, which imports numpy.
"""

from __future__ import annotations

from tltui.base.rundir import keys
from tltui.base.rundir.files import (
    ANALYZE_FILES,
    ARTIFACTS,
    BENCH,
    DETAILS,
    EXPORTS,
    FEATURES_JSON,
    FEATURES_NPZ,
    INSTANCES,
    LAYERS_JSON,
    LAYERS_NPZ,
    OVERALL,
    PREVIEW_FILES,
    PREVIEW_JSON,
    PREVIEW_NPZ,
    PROJECTION,
    SUMMARY,
    details_name,
    job_results,
    producer,
    tsne_name,
)
from tltui.base.rundir.summary import FORMAT, FORMAT_KEY, SUMMARY_KEYS, check_format, metric_rows

__all__ = [
    "ANALYZE_FILES",
    "ARTIFACTS",
    "BENCH",
    "DETAILS",
    "EXPORTS",
    "FEATURES_JSON",
    "FEATURES_NPZ",
    "FORMAT",
    "FORMAT_KEY",
    "INSTANCES",
    "LAYERS_JSON",
    "LAYERS_NPZ",
    "OVERALL",
    "PREVIEW_FILES",
    "PREVIEW_JSON",
    "PREVIEW_NPZ",
    "PROJECTION",
    "SUMMARY",
    "SUMMARY_KEYS",
    "check_format",
    "details_name",
    "job_results",
    "keys",
    "metric_rows",
    "producer",
    "tsne_name",
]
