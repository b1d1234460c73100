"""ReMoS: coverage profile, weight scores, ordinal scores and slicing checked against a hand computation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tltui.base.catalogue.mitigation import RemosParams as MitigateParams
from tltui.base.errors import MitigateError
from tltui.base.progress import drain
from tltui.core.analysis import Analysis
from tltui.core.mitigate import remos


class HandNet(nn.Module):
    """1×1 convs with hand-set weights: conv1 (1→2) = [1, −1]; conv2 (2→2) = [[2, .5], [−.25, 3]]."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, 1, bias=False)
        self.conv2 = nn.Conv2d(2, 2, 1, bias=False)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(2, 2)
        with torch.no_grad():
            self.conv1.weight.copy_(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1))
            self.conv2.weight.copy_(torch.tensor([[2.0, 0.5], [-0.25, 3.0]]).view(2, 2, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv2(self.relu(self.conv1(x)))
        return self.fc(h.mean(dim=(2, 3)))


# image A covers (scaled mean .75), image B does not (.25)
IMAGES = torch.tensor([[[[0.0, 1.0], [1.0, 1.0]]], [[[0.0, 0.0], [0.0, 1.0]]]])
LAYERS = ["conv1", "conv2"]


def test_profile_counts_match_hand_computation() -> None:
    # conv1 in: A .75 ✓, B .25 ✗ → [1]
    # conv1 out (A, −A) scaled over [−1, 1]: A → .875 ✓ / .125 ✗; B → .625 ✓ / .375 ✗ → [2, 0]
    # conv2 in = relu: A → ch0 .75 ✓, ch1 0 ✗; B → ch0 .25 ✗ → [1, 0]
    # conv2 out (2·r0, −.25·r0) scaled over [−.25, 2]: A → .778 ✓ / .028 ✗; B → .333 ✗ / .083 ✗ → [1, 0]
    prof = remos.profile(HandNet(), IMAGES, LAYERS, threshold=0.5)
    assert prof.n == 2
    assert prof.cov_in["conv1"].tolist() == [1]
    assert prof.cov_out["conv1"].tolist() == [2, 0]
    assert prof.cov_in["conv2"].tolist() == [1, 0]
    assert prof.cov_out["conv2"].tolist() == [1, 0]


def test_topk_profile_counts_the_most_active_channels() -> None:
    # k=1: conv1 out means A (.75, −.75), B (.25, −.25) → ch0 both times; conv2 out A (1.5, −.19), B (.5, −.06)
    prof = remos.profile(HandNet(), IMAGES, LAYERS, criterion="topk", topk=1)
    assert prof.cov_out["conv1"].tolist() == [2, 0]
    assert prof.cov_in["conv1"].tolist() == [2]
    assert prof.cov_out["conv2"].tolist() == [2, 0]
    assert remos.profile(HandNet(), IMAGES, LAYERS, criterion="topk", topk=5).cov_out["conv2"].tolist() == [
        2,
        2,
    ]


def test_weight_and_ordinal_scores_match_hand_computation() -> None:
    net = HandNet()
    prof = remos.profile(net, IMAGES, LAYERS)
    scores = remos.weight_scores(net, prof, LAYERS)
    assert scores["conv1"].tolist() == [[3.0], [1.0]]  # cov_out [2, 0] + cov_in [1]
    assert scores["conv2"].tolist() == [[2.0, 1.0], [1.0, 0.0]]  # cov_out [1, 0] + cov_in [1, 0]
    # all six weights: coverage [3, 1, 2, 1, 1, 0] → min-ranks [5, 1, 4, 1, 1, 0];
    # |w| [1, 1, 2, .5, .25, 3] → min-ranks [2, 2, 4, 1, 0, 5]; ordinal = difference
    ords = remos.ordinal_scores(net, scores, LAYERS)
    assert ords["conv1"].reshape(-1).tolist() == [3, -1]
    assert ords["conv2"].reshape(-1).tolist() == [0, 0, 1, -5]
    assert ords["conv2"].shape == (2, 2, 1, 1)


def test_slice_cuts_exactly_the_lowest_ordinals_with_index_tie_break() -> None:
    net = HandNet()
    ords = remos.ordinal_scores(
        net, remos.weight_scores(net, remos.profile(net, IMAGES, LAYERS), LAYERS), LAYERS
    )
    mask = remos.slice_mask(ords, 0.5)  # 3 of 6: −5, −1, then the first of the two 0s
    assert mask["conv1"].reshape(-1).tolist() == [False, True]
    assert mask["conv2"].reshape(-1).tolist() == [True, False, False, True]
    assert sum(int(m.sum()) for m in remos.slice_mask(ords, 0.34).values()) == 2  # round(2.04)
    remos.apply_mask(net, mask)
    assert net.conv1.weight.reshape(-1).tolist() == [1.0, 0.0]
    assert net.conv2.weight.reshape(-1).tolist() == [0.0, 0.5, -0.25, 0.0]


def test_kernel_elements_share_coverage_and_grouped_convs_map_their_inputs() -> None:
    net = nn.Sequential(nn.Conv2d(4, 4, 3, groups=2), nn.Conv2d(4, 2, 3))
    prof = remos.Profile(
        cov_in={"0": np.array([10, 20, 30, 40]), "1": np.zeros(4, int)},
        cov_out={"0": np.array([1, 2, 3, 4]), "1": np.zeros(2, int)},
        n=50,
    )
    scores = remos.weight_scores(net, prof, ["0", "1"])
    assert scores["0"].tolist() == [[11, 21], [12, 22], [33, 43], [34, 44]]
    ords = remos.ordinal_scores(net, scores, ["0", "1"])
    assert ords["0"].shape == (4, 2, 3, 3)
    cov_rank = ords["0"] + _mag_rank(net, ["0", "1"])["0"]
    assert np.all(cov_rank == cov_rank[:, :, :1, :1])  # one coverage ordinal per kernel


def _mag_rank(net: nn.Module, layers: list[str]) -> dict[str, np.ndarray]:
    mags = np.concatenate([net.get_submodule(n).weight.detach().abs().reshape(-1).numpy() for n in layers])
    ranks = np.searchsorted(np.sort(mags), mags, side="left")
    out, at = {}, 0
    for n in layers:
        w = net.get_submodule(n).weight
        out[n] = ranks[at : at + w.numel()].reshape(w.shape)
        at += w.numel()
    return out


def test_run_zeroes_exactly_ratio_of_in_scope_weights_before_fine_tuning(tiny_an: Analysis) -> None:
    teacher = tiny_an.teacher
    model = drain(remos.run(tiny_an, MitigateParams(ratio=0.1, epochs=0)))
    total = sum(m.weight.numel() for m in (teacher.conv1, teacher.conv2))
    zeros = sum(int((m.weight == 0).sum()) for m in (model.conv1, model.conv2))
    assert zeros == round(0.1 * total)
    scoped = drain(remos.run(tiny_an, MitigateParams(ratio=0.2, epochs=0, scope=("conv2",))))
    assert torch.equal(scoped.conv1.weight, teacher.conv1.weight)
    assert int((scoped.conv2.weight == 0).sum()) == round(0.2 * teacher.conv2.weight.numel())


def test_fine_tuning_regrows_the_cut_weights(tiny_an: Analysis) -> None:
    cut = drain(remos.run(tiny_an, MitigateParams(ratio=0.2, epochs=0)))
    tuned = drain(remos.run(tiny_an, MitigateParams(ratio=0.2, epochs=1)))
    was_zero = cut.conv2.weight == 0
    assert bool(was_zero.any())
    assert int((tuned.conv2.weight[was_zero] != 0).sum()) > 0


def test_preview_fractions_sum_to_the_ratio_and_match_the_run(tiny_an: Analysis) -> None:
    p = remos.preview(tiny_an, MitigateParams(ratio=0.1))
    total = sum(r["size"] for r in p["layers"])
    assert p["total"] == total
    assert sum(r["fraction"] for r in p["layers"]) == pytest.approx(round(0.1 * total) / total)
    assert abs(p["fraction"] - 0.1) <= 0.5 / total
    model = drain(remos.run(tiny_an, MitigateParams(ratio=0.1, epochs=0)))
    assert [r["cut"] for r in p["layers"]] == [
        int((model.conv1.weight == 0).sum()),
        int((model.conv2.weight == 0).sum()),
    ]
    q = remos.preview(tiny_an, MitigateParams(ratio=0.3))
    assert q["cut"] > p["cut"]
    assert sum(r["fraction"] for r in q["layers"]) == pytest.approx(round(0.3 * total) / total)


def test_preview_profiles_once_then_reuses_the_cache(
    tiny_an: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tltui.core.mitigate import _profile_cache

    calls = []
    real = remos.profile
    monkeypatch.setattr(remos, "profile", lambda *a, **k: calls.append(1) or real(*a, **k))
    remos.preview(tiny_an, MitigateParams(ratio=0.1))
    assert len(calls) == 1
    assert list((tiny_an.workspace / "profiles").glob("remos-*.npz"))
    remos.preview(tiny_an, MitigateParams(ratio=0.05))  # in-process memo
    _profile_cache.clear_memo()
    remos.preview(tiny_an, MitigateParams(ratio=0.07))  # from the npz on disk
    drain(remos.run(tiny_an, MitigateParams(ratio=0.07, epochs=0)))
    assert len(calls) == 1
    remos.preview(tiny_an, MitigateParams(ratio=0.1, threshold=0.3))  # another setting: a new profile
    assert len(calls) == 2


def test_bad_parameters_are_refused(tiny_an: Analysis) -> None:
    with pytest.raises(MitigateError):
        remos.preview(tiny_an, MitigateParams(ratio=1.5))
    with pytest.raises(MitigateError):
        remos.preview(tiny_an, MitigateParams(scope=("fc",)))
    with pytest.raises(MitigateError):
        drain(remos.run(tiny_an, MitigateParams(criterion="nope")))


def test_profile_key_follows_teacher_weights_and_is_hashed_once(
    tiny_an: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copy

    from tltui.core.mitigate import _profile_cache

    calls = []
    real = _profile_cache.weights_hash
    monkeypatch.setattr(_profile_cache, "weights_hash", lambda m: calls.append(1) or real(m))
    k1 = _profile_cache.key(tiny_an, MitigateParams(ratio=0.1))
    assert (
        _profile_cache.key(tiny_an, MitigateParams(ratio=0.2)) == k1
    )  # the ratio is not part of the profile
    assert len(calls) == 1
    other = copy.deepcopy(tiny_an.teacher)
    with torch.no_grad():
        other.conv1.weight[0, 0, 0, 0] += 1.0
    tiny_an.teacher = other
    assert _profile_cache.key(tiny_an, MitigateParams(ratio=0.1)) != k1
