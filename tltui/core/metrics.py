"""Overall robustness metrics: AOI, AAI, decline ratio, robustness, macro recall/F1 and DIR; a variant's set."""

from __future__ import annotations

import numpy as np

from tltui.base.rundir.metrics import MACRO_F1, MACRO_RECALL
from tltui.base.rundir.shape import VariantMetrics
from tltui.base.rundir.tables import fooled
from tltui.core.levels import overall


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of predictions equal to the labels (0 for an empty set)."""
    return float(np.mean(y_true == y_pred)) if len(y_true) else 0.0


def decline_ratio(aoi: float, aai: float) -> float:
    """DR = (AOI − AAI) / AOI."""
    return (aoi - aai) / aoi if aoi > 0 else 0.0


def robustness(aoi: float, aai: float) -> float:
    """Robust = AAI / AOI."""
    return aai / aoi if aoi > 0 else 0.0


def macro_recall_f1(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> tuple[float, float]:
    """Macro-averaged recall and F1 (proper per-class precision/recall F1, as scikit-learn's macro average)."""
    r = overall.macro_recall_f1(y_true, y_pred, n_classes)
    return float(MACRO_RECALL.raw(r)), float(MACRO_F1.raw(r))


def defect_inheritance_rate(
    y_true: np.ndarray, pred_clean: np.ndarray, pred_teacher_adv: np.ndarray
) -> float:
    """DIR: of the inputs the student gets right when clean, the share whose prediction changes on the
    teacher-crafted input (ReMoS)."""
    n = int(np.sum(pred_clean == y_true))
    return float(fooled(y_true, pred_clean, pred_teacher_adv).sum() / n) if n else 0.0


def variant_metrics(
    y: np.ndarray,
    pred: np.ndarray,
    adv_pred: np.ndarray,
    teacher_adv_pred: np.ndarray,
    curve: list[list[float]],
    n_classes: int,
) -> VariantMetrics:
    """summary.json's metrics of one variant from its predictions on the clean inputs, on its own white-box
    adversarial inputs (at the study's ε) and on the teacher-crafted ones; `curve` is its accuracy-vs-ε."""
    aoi, aai = accuracy(y, pred), accuracy(y, adv_pred)
    recall, f1 = macro_recall_f1(y, pred, n_classes)
    return VariantMetrics(
        aoi=aoi,
        aai=aai,
        dr=decline_ratio(aoi, aai),
        robust=robustness(aoi, aai),
        macro_f1=f1,
        macro_recall=recall,
        dir=defect_inheritance_rate(y, pred, teacher_adv_pred),
        eps_curve=curve,
        teacher_adv_acc=accuracy(y, teacher_adv_pred),
    )
