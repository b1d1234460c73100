"""FMT: fairness metrics against hand computation, counterfactual pairs, the groups CSV and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tltui.base.errors import DataError, TltuiError
from tltui.core.fairness import (
    aaod_per_class,
    demo_groups,
    eod_per_class,
    fairness_report,
    groups_from_csv,
    ink_mass,
    spd_per_class,
)
from tltui.core.treat.fmt import flip_ink, morph, sensitive_neurons

# 8 instances, 2 classes; group 1 = first four
Y = np.array([0, 0, 1, 1, 0, 0, 1, 1])
P = np.array([0, 0, 0, 1, 0, 1, 1, 1])
G = np.array([1, 1, 1, 1, 0, 0, 0, 0])


def test_spd_eod_aaod_match_hand_computation() -> None:
    # P(ŷ=0|g=1) = 3/4, P(ŷ=0|g=0) = 1/4 → SPD_0 = 1/2, SPD_1 = −1/2
    assert np.allclose(spd_per_class(P, G, 2), [0.5, -0.5])
    # TPR_0: g1 2/2, g0 1/2 → 1/2; TPR_1: g1 1/2, g0 2/2 → −1/2
    assert np.allclose(eod_per_class(Y, P, G, 2), [0.5, -0.5])
    # FPR_0 (ŷ=0 among y=1): g1 1/2, g0 0/2 → 1/2; AAOD_0 = ½(1/2 + 1/2) = 1/2, likewise class 1
    assert np.allclose(aaod_per_class(Y, P, G, 2), [0.5, 0.5])
    rep = fairness_report(Y, P, G, 2)
    assert rep["spd"] == pytest.approx(0.5) and rep["eod"] == pytest.approx(0.5)
    assert rep["aaod"] == pytest.approx(0.5) and rep["accuracy"] == pytest.approx(6 / 8)


def test_fair_predictions_score_zero_and_empty_groups_are_skipped() -> None:
    rep = fairness_report(Y, Y, G, 2)
    assert rep["spd"] == 0 and rep["eod"] == 0 and rep["aaod"] == 0
    assert np.isnan(eod_per_class(Y, P, G, 3)[2])  # no instance of class 2: undefined, not zero


def _strokes() -> torch.Tensor:
    x = torch.zeros(6, 1, 12, 12)
    for i in range(6):
        x[i, 0, 2:10, 5 : 6 + 2 * (i // 3)] = 1.0  # strokes of width 1, 1, 1, 3, 3, 3
    return x


def test_morphology_grows_and_shrinks_strokes() -> None:
    dot = torch.zeros(1, 1, 5, 5)
    dot[0, 0, 2, 2] = 1.0
    assert int(morph(dot, dilate=True).sum()) == 5  # a 3×3 cross
    assert int(morph(morph(dot, dilate=True), dilate=False).sum()) == 1


def test_counterfactual_pairs_differ_in_the_attribute() -> None:
    x = _strokes()
    t = float(np.median(ink_mass(x.numpy())))
    g = demo_groups(x.numpy(), t)
    assert g.tolist() == [0, 0, 0, 1, 1, 1]
    cf, flipped = flip_ink(x, g, t)
    assert flipped.all()
    assert (demo_groups(cf.numpy(), t) != g).all()
    ink, ink_cf = ink_mass(x.numpy()), ink_mass(cf.numpy())
    assert (ink_cf[g == 1] < ink[g == 1]).all() and (ink_cf[g == 0] > ink[g == 0]).all()


def test_sensitive_neurons_are_the_most_changed() -> None:
    a = torch.zeros(5, 4)
    b = a.clone()
    b[:, 2] += 3.0
    b[:, 0] += 1.0
    assert sensitive_neurons(a, b, 0.5).tolist() == [True, False, True, False]


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "groups.csv"
    p.write_text(text)
    return p


def test_groups_from_csv_maps_ids(tmp_path: Path) -> None:
    assert groups_from_csv(_csv(tmp_path, "id,group\na,1\nb,0\nc,1\n"), ["c", "b"]).tolist() == [1, 0]
    assert groups_from_csv(_csv(tmp_path, "a,male\nb,female\n"), ["a", "b"]).tolist() == [1, 0]


@pytest.mark.parametrize(
    ("text", "ids", "match"),
    [
        ("a,1\nb\n", ["a"], "line 2: expected 'id,group'"),
        ("a,1\nb,0\n", ["a", "z", "y"], "no group for 2 of 3 instances, e.g. z, y"),
        ("a,1\nb,0\nc,2\n", ["a"], "3 groups"),
        ("a,1\na,0\n", ["a"], "id 'a' has two groups"),
    ],
)
def test_groups_from_csv_errors(tmp_path: Path, text: str, ids: list[str], match: str) -> None:
    with pytest.raises(DataError, match=match) as err:
        groups_from_csv(_csv(tmp_path, text), ids)
    assert isinstance(err.value, TltuiError)


def test_groups_file_missing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        groups_from_csv(tmp_path / "nope.csv", ["a"])
