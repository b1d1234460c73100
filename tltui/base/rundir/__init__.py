"""The run-directory format: file names, npz key families, the format version (no numpy: see `.tables`).

Writers (tltui.core) and readers (tltui.ui, tests) build and parse every file name and array key here and
nowhere else; docs/run-directory.md describes the format. summary.json's shape is typed in `.shape` and its
metrics in `.metrics` (a `Metric` each, `METRICS` the table's); `RunSummary` reads it, `.writer` builds it.
Tables derived from the arrays (the instance table, Model Doctor maps) live in `tltui.base.rundir.tables`,
which imports numpy.
"""

from __future__ import annotations

from tltui.base.rundir import keys, metrics
from tltui.base.rundir.files import (
    ANALYZE_FILES,
    ARTIFACTS,
    BENCH,
    DETAILS,
    EXPORTS,
    FEATURES_JSON,
    FEATURES_NPZ,
    INSTANCES,
    INTERVENTIONS,
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
from tltui.base.rundir.metrics import FAIRNESS_METRICS, GAPS, METRICS, Metric
from tltui.base.rundir.shape import Summary, VariantMetrics
from tltui.base.rundir.summary import (
    FORMAT,
    FORMAT_KEY,
    SUMMARY_KEYS,
    RunSummary,
    check_format,
    eps_curve,
    fairness_of,
    metric_rows,
    read_summary,
)

__all__ = [
    "ANALYZE_FILES",
    "ARTIFACTS",
    "BENCH",
    "DETAILS",
    "EXPORTS",
    "FAIRNESS_METRICS",
    "FEATURES_JSON",
    "FEATURES_NPZ",
    "FORMAT",
    "FORMAT_KEY",
    "GAPS",
    "INSTANCES",
    "INTERVENTIONS",
    "LAYERS_JSON",
    "LAYERS_NPZ",
    "METRICS",
    "OVERALL",
    "PREVIEW_FILES",
    "PREVIEW_JSON",
    "PREVIEW_NPZ",
    "PROJECTION",
    "SUMMARY",
    "SUMMARY_KEYS",
    "Metric",
    "RunSummary",
    "Summary",
    "VariantMetrics",
    "check_format",
    "details_name",
    "eps_curve",
    "fairness_of",
    "job_results",
    "keys",
    "metric_rows",
    "metrics",
    "producer",
    "read_summary",
    "tsne_name",
]
