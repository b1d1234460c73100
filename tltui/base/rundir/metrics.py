"""The metrics summary.json records per variant: one `Metric` each (key, label, meaning), and how to read one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class Metric:
    """One number summary.json records per variant (or per variant's fairness block): its key there, the label
    tables show, and what it means (docs/metrics.md)."""

    key: str
    label: str
    description: str = ""

    def of(self, row: Mapping[str, Any] | None) -> float | None:
        """This metric's value in `row` (a variant's metrics, its fairness block, a measured dict) as a float;
        None when absent, null or not a number."""
        value = row.get(self.key) if row is not None else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value)

    def raw(self, row: Mapping[str, Any] | None) -> Any:
        """This metric's value in `row` as written (None when absent), for tables that format it themselves."""
        return row.get(self.key) if row is not None else None


AOI = Metric(
    "aoi", "AOI", "accuracy on original inputs: the share of clean test images the variant gets right"
)
AAI = Metric(
    "aai",
    "AAI",
    "accuracy on adversarial inputs crafted on the variant itself (white-box, the study's attack and ε)",
)
DR = Metric(
    "dr", "DR", "decline ratio = (AOI − AAI) / AOI: the share of its accuracy the white-box attack takes away"
)
ROBUST = Metric(
    "robust", "Robust", "AAI / AOI = 1 − DR: the share of its accuracy that survives the white-box attack"
)
MACRO_F1 = Metric(
    "macro_f1", "macro-F1", "the mean over classes of each class's F1 (harmonic mean of precision and recall)"
)
MACRO_RECALL = Metric("macro_recall", "macro-recall", "the mean over classes of each class's recall")
DIR = Metric(
    "dir",
    "DIR",
    "defect inheritance rate: of the answers the variant gets right, the share that inputs crafted on the "
    "public teacher alone turn wrong; the teacher's weakness the variant carries",
)
TEACHER_ADV_ACC = Metric(
    "teacher_adv_acc", "teacher-crafted accuracy", "accuracy on the teacher-crafted inputs"
)

METRICS: tuple[Metric, ...] = (AOI, AAI, DR, ROBUST, MACRO_F1, MACRO_RECALL, DIR)
"""The metric table of every variant, in the order every table and reader shows it."""

ACCURACY = Metric("accuracy", "accuracy", "the share of test images the variant gets right")
SPD = Metric("spd", "SPD", "statistical parity difference between the two groups (0: no gap)")
EOD = Metric("eod", "EOD", "equal opportunity difference between the two groups (0: no gap)")
AAOD = Metric("aaod", "AAOD", "average absolute odds difference between the two groups (0: no gap)")

GAPS: tuple[Metric, ...] = (SPD, EOD, AAOD)
"""The group fairness gaps (docs/metrics.md#fairness)."""
FAIRNESS_METRICS: tuple[Metric, ...] = (ACCURACY, MACRO_F1, *GAPS)
"""A variant's `fairness` block, in the order the fairness table shows it."""

EPS_CURVE: Final = "eps_curve"
"""A variant's accuracy against the white-box budget: [[ε, accuracy], …], ε = 0 first."""
INTERVALS: Final = "intervals"
"""A variant's accuracy and DIR with their bootstrap intervals over the test images (docs/intervals.md)."""
INTERVAL_METRICS: tuple[Metric, ...] = (AOI, DIR)
"""The metrics with a recorded interval: per variant, and per seed group."""
FAIRNESS: Final = "fairness"
"""A variant's fairness block (FAIRNESS_METRICS, `scheme`, `favourable`); the run's `fairness` facts."""

VARIANT_KEYS: tuple[str, ...] = (
    *(m.key for m in METRICS),
    EPS_CURVE,
    TEACHER_ADV_ACC.key,
    FAIRNESS,
    INTERVALS,
)
"""Every key of a variant's metrics, in the order the writer writes them."""
READ_ONLY_HERE: tuple[str, ...] = (*VARIANT_KEYS, *(m.key for m in GAPS))
"""Keys no module outside tltui.base.rundir spells to read a dict: they read them through a `Metric`."""
