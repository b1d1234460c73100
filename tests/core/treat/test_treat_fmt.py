"""FMT: counterfactual pairs, per-layer votes, updates only between important neurons, no FMT without a flip,
the groups CSV and its errors (the metrics: tests/core/test_fairness.py)."""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.nets import tiny_analysis
from tltui.base.catalogue.treatment import FmtParams
from tltui.base.errors import DataError, StudyError, TltuiError
from tltui.base.progress import collect, drain
from tltui.core.analysis import Analysis
from tltui.core.fairness import demo_groups, groups_from_csv, ink_mass
from tltui.core.images import Images
from tltui.core.treat import fmt
from tltui.core.treat._common import resolve_tap
from tltui.core.treat.fmt import flip_ink, morph


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


class Two(torch.nn.Module):
    """Two linear layers; the flip (adding 1 to input feature 0) moves hidden neuron j by j · 1."""

    def __init__(self) -> None:
        super().__init__()
        self.h = torch.nn.Linear(3, 5)
        self.fc = torch.nn.Linear(5, 2)
        with torch.no_grad():
            self.h.weight.zero_()
            self.h.weight[:, 0] = torch.arange(5.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.h(x.flatten(1)))


def test_each_pair_votes_for_its_most_changed_neurons(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    net = Two()
    x = torch.rand(6, 1, 1, 3, generator=torch.Generator().manual_seed(0))
    x_cf = x.clone()
    x_cf[..., 0] += 1.0 / an.std[0]  # +1 in normalised units
    chain, votes = fmt.layer_votes(net, x, x_cf, an, resolve_tap(net, None), 0.4)
    assert chain.names[: chain.below] == ["h"]
    assert votes["h"].tolist() == [0, 0, 0, 6, 6]  # int(0.4 · 5) = 2 votes per pair: neurons 4 and 3
    masks = fmt.important_masks(net, chain, {"h": torch.tensor([0.0, 5, 1, 5, 2])}, 0.4)
    assert masks["h.weight"].tolist() == [[False] * 3, [True] * 3, [False] * 3, [True] * 3, [False] * 3]


def test_important_weights_connect_important_neurons_of_consecutive_layers(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    net = an.variants["finetune"]  # conv1 (4) → conv2 (6)
    tap = resolve_tap(net, None)
    assert an.data.train is not None
    chain, _ = fmt.layer_votes(net, an.data.train.x[:4], an.data.train.x[:4], an, tap, 0.5)
    votes = {"conv1": torch.tensor([3.0, 0, 2, 1]), "conv2": torch.tensor([0.0, 4, 4, 1, 0, 0])}
    masks = fmt.important_masks(
        net, chain, votes, 0.5
    )  # round(2) = 2 of conv1: 0, 2; round(3) = 3 of conv2: 1, 2, 3
    m1, m2 = masks["conv1.weight"], masks["conv2.weight"]
    assert m1[[0, 2]].all() and not m1[[1, 3]].any()
    for o in range(6):
        for i in range(4):
            assert bool(m2[o, i].all()) == (o in (1, 2, 3) and i in (0, 2)) and bool(m2[o, i].any()) == bool(
                m2[o, i].all()
            )


def test_fmt_changes_only_weights_between_important_neurons_and_logs_it(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    params = FmtParams(epochs=5, lr=1e-2, vote_ratio=0.5, important_ratio=0.5)
    original = copy.deepcopy(an.variants["finetune"])
    x, x_cf = drain_pairs(an)
    _, votes = fmt.layer_votes(original, x, x_cf, an, resolve_tap(original, None), params.vote_ratio)
    # the important neurons by hand: per layer the round(0.5 · C) most voted (ties: lower index)
    imp = {
        n: sorted(range(len(v)), key=lambda i: (-float(v[i]), i))[: round(0.5 * len(v))]
        for n, v in votes.items()
    }
    steps, treated = collect(fmt.run(an, params))
    before, after = original.state_dict(), treated.state_dict()
    pairs = {"conv1.weight": [(o, i) for o in imp["conv1"] for i in range(1)],
             "conv2.weight": [(o, i) for o in imp["conv2"] for i in imp["conv1"]]}  # fmt: skip
    changed = 0
    for name in ("conv1.weight", "conv2.weight"):
        inside = torch.zeros(before[name].shape[:2], dtype=torch.bool)
        for o, i in pairs[name]:
            inside[o, i] = True
        assert torch.equal(after[name][~inside], before[name][~inside]), f"{name}: a weight outside moved"
        changed += int((after[name] != before[name]).sum())
    assert changed > 0
    assert torch.equal(after["fc.weight"], before["fc.weight"]) and torch.equal(
        after["fc.bias"], before["fc.bias"]
    )
    total = before["conv1.weight"].numel() + before["conv2.weight"].numel()
    log = [s.msg for s in steps if s.msg.startswith("changed ")]
    assert log and re.match(rf"changed {changed} of {total} weights \({changed / total:.2%}\)", log[-1])


def drain_pairs(an: Analysis) -> tuple[Images, Images]:
    return drain(fmt.counterfactual_pairs(an))


def test_fmt_is_not_applicable_without_a_flip(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    assert an.data.train is not None
    groups = tmp_path / "groups.csv"
    ids = an.data.train.ids + an.data.test.ids
    groups.write_text("".join(f"{i},{n % 2}\n" for n, i in enumerate(ids)))
    an.study = dataclasses.replace(an.study, data=dataclasses.replace(an.study.data, groups=groups))
    with pytest.raises(StudyError, match=r"^FMT is not applicable: ") as err:
        drain_pairs(an)
    assert "\n" not in str(err.value)


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


@pytest.mark.parametrize(("pairs", "n"), [("dual", 96), ("single", 48)])
def test_dual_trains_both_members_single_the_less_confident(pairs: str, n: int, tmp_path: Path) -> None:
    steps, _ = collect(fmt.run(tiny_analysis(tmp_path), FmtParams(epochs=1, pairs=pairs)))
    msgs = [p.msg for p in steps]
    assert any(m.startswith(f"{n} training inputs ({pairs})") for m in msgs)
