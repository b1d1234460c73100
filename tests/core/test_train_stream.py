"""Training streams its batches from the split's images: the uint8 cache trains the same weights as floats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tltui.core.batches import batches, crop_box, crop_flip
from tltui.core.data import Split
from tltui.core.images import Images, Uint8Source
from tltui.core.train import Schedule, train


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))


def _u8(n: int = 40) -> tuple[np.ndarray, torch.Tensor]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (n, 3, 8, 8), dtype=np.uint8), torch.from_numpy(rng.integers(0, 3, n))


def _weights(split: Split, schedule: Schedule) -> list[torch.Tensor]:
    net = _net()
    for _ in train(net, split, (0.5,) * 3, (0.25,) * 3, schedule, device=torch.device("cpu")):
        pass
    return [t.clone() for t in net.state_dict().values()]


def test_uint8_cache_trains_the_same_weights_as_the_float_tensor() -> None:
    u8, y = _u8()
    floats = Split(
        torch.from_numpy(u8).float().div(255.0), y, ["a", "b", "c"], [str(i) for i in range(len(y))]
    )
    cached = Split(Images(Uint8Source(u8, "k")), y, floats.classes, floats.ids)
    schedule = Schedule(epochs=2, batch_size=16, seed=3)
    a, b = _weights(floats, schedule), _weights(cached, schedule)
    assert all(torch.equal(p, q) for p, q in zip(a, b, strict=True))
    assert cached._x is None  # no float copy of the whole split was made
    moved = _weights(cached, Schedule(epochs=2, batch_size=16, seed=3, augment="crop-flip"))
    assert not all(torch.equal(p, q) for p, q in zip(a, moved, strict=True))


def test_batches_follow_the_order_and_augmentation_keeps_shape_and_range() -> None:
    u8, y = _u8(10)
    order = torch.tensor([3, 1, 4, 0, 9, 2, 6, 5, 8, 7])
    got = list(batches(Images(Uint8Source(u8, "k")), y, order, 4, torch.device("cpu")))
    assert [len(b[1]) for b in got] == [4, 4, 2]
    assert torch.equal(torch.cat([b[1] for b in got]), y[order])
    assert torch.equal(got[0][0][0], torch.from_numpy(u8[3]).float() / 255)
    x = got[0][0]
    one = crop_flip(x, torch.Generator().manual_seed(1))
    assert one.shape == x.shape and float(one.min()) >= 0 and float(one.max()) <= 1
    assert torch.equal(one, crop_flip(x, torch.Generator().manual_seed(1)))
    for seed in range(20):
        top, left, h, w = crop_box(224, 224, torch.Generator().manual_seed(seed))
        assert 0 <= top <= 224 - h and 0 <= left <= 224 - w and h * w >= 0.08 * 224 * 224 * 0.9
    with pytest.raises(ValueError, match="augment"):
        next(batches(Images(Uint8Source(u8, "k")), y, order, 4, torch.device("cpu"), augment="zoom"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_batches_cross_pinned_and_match_the_cpu() -> None:
    u8, y = _u8(10)
    order = torch.arange(10)
    on_gpu = list(batches(Images(Uint8Source(u8, "k")), y, order, 4, torch.device("cuda")))
    on_cpu = list(batches(Images(Uint8Source(u8, "k")), y, order, 4, torch.device("cpu")))
    for (xg, yg), (xc, yc) in zip(on_gpu, on_cpu, strict=True):
        assert xg.is_cuda and torch.equal(xg.cpu(), xc) and torch.equal(yg.cpu(), yc)


def test_a_study_names_its_augmentation(tmp_path: Path) -> None:
    from tests.studies import GOOD, study_files
    from tltui.base.errors import StudyError
    from tltui.base.study import load_study
    from tltui.core.build import schedule_for

    d = study_files(tmp_path)
    (d / "study.toml").write_text(GOOD.replace("image_size = 16", 'image_size = 16\naugment = "crop-flip"'))
    study = load_study(d / "study.toml")
    assert schedule_for(study, "finetune").augment == "crop-flip"
    (d / "study.toml").write_text(GOOD.replace("image_size = 16", 'image_size = 16\naugment = "zoom"'))
    with pytest.raises(StudyError, match="augment must be one of none, crop-flip"):
        load_study(d / "study.toml")
