"""Images read a batch at a time: the uint8 cache and on-disk adversarial sets read back exactly what was written;
the study's preprocessing keys are checked in one line each."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tests.studies import GOOD, study_files
from tltui.base.errors import DataError, StudyError
from tltui.base.study import load_study
from tltui.core.advcache import AdvWriter
from tltui.core.data import normalize
from tltui.core.datacache import preparation
from tltui.core.images import Images, NpySource, Uint8Source, thumbnails

U8 = np.random.default_rng(0).integers(0, 256, (10, 3, 5, 4), dtype=np.uint8)
MEAN, STD = (0.4, 0.5, 0.6), (0.2, 0.25, 0.3)


def test_uint8_images_slice_index_and_normalise_like_the_float_tensor() -> None:
    full = torch.from_numpy(U8).float() / 255
    im = Images(Uint8Source(U8, "k"))
    assert im.shape == full.shape and len(im) == 10
    assert torch.equal(im[2:7], full[2:7]) and torch.equal(im[-1], full[-1])
    view = im[np.array([7, 1, 3])]
    assert isinstance(view, Images) and torch.equal(view.full(), full[[7, 1, 3]])
    assert torch.equal(view[torch.tensor([2, 0])].full(), full[[3, 7]])
    assert torch.equal(im.normalized(MEAN, STD)[0:4], normalize(full[0:4], MEAN, STD))
    assert torch.equal(torch.cat(list(im.stream(4, torch.device("cpu")))), full)


def test_an_adversarial_set_goes_to_disk_and_back_batch_by_batch(tmp_path: Path) -> None:
    data = torch.rand(10, 3, 5, 4)
    w = AdvWriter(tmp_path, "k", tuple(data.shape))
    for i in range(0, 10, 4):
        w.write(data[i : i + 4])
    kept = w.finish(tmp_path / "k.npy")
    assert torch.equal(kept.full(), data) and torch.equal(kept[np.array([9, 0])].full(), data[[9, 0]])
    assert np.array_equal(np.load(tmp_path / "k.npy"), data.numpy())  # a plain .npy file
    w = AdvWriter(tmp_path, "t", tuple(data.shape))
    w.write(data)
    gone = w.finish(None)  # unlinked at once, readable while referenced
    assert list(tmp_path.glob("*t*")) == [] and torch.equal(gone[3:5], data[3:5])
    (tmp_path / "cut.npy").write_bytes((tmp_path / "k.npy").read_bytes()[:-8])
    with pytest.raises(ValueError, match="truncated"), open(tmp_path / "cut.npy", "rb") as fh:
        NpySource(fh, "cut")


def test_thumbnails_stay_within_the_budget() -> None:
    x = torch.rand(3, 3, 224, 224) * 0.9
    adv = x + 0.03 * torch.sign(torch.randn_like(x))
    small, small_adv = thumbnails(Images.of(x)), thumbnails(Images.of(adv))
    assert small.shape == (3, 3, 64, 64) and small.dtype == np.float16
    assert np.abs(small_adv.astype(np.float32) - small.astype(np.float32)).max() <= 0.03 + 1e-3
    assert np.array_equal(
        thumbnails(Images.of(x[:, :, :16, :16])), x[:, :, :16, :16].numpy().astype(np.float16)
    )


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("crop = 16", "crop needs resize"),
        ("resize = 20\ncrop = 12", "crop = 12 and image_size = 16 differ"),
        ("resize = 8", "resize = 8 is smaller than the crop (16)"),
        ("resize = 20\ninterpolation = 'lanczos'", "interpolation must be one of"),
        ("transforms = 'ResNet18'", "give torchvision:<Weights>.<NAME>"),
        ("transforms = 'torchvision:ResNet18_Weights.IMAGENET1K_V1'\nresize = 20", "not both"),
        ("limit = 1", "[data] limit must be at least 2"),
    ],
)
def test_preprocessing_keys_are_checked(tmp_path: Path, keys: str, message: str) -> None:
    path = study_files(tmp_path) / "study.toml"
    path.write_text(GOOD.replace("image_size = 16", f"image_size = 16\n{keys}"))
    with pytest.raises(StudyError) as info:
        load_study(path)
    assert message in str(info.value) and "study.toml" in str(info.value)


def test_a_weights_transforms_must_exist_and_match(tmp_path: Path) -> None:
    path = study_files(tmp_path) / "study.toml"
    path.write_text(GOOD.replace("image_size = 16", "transforms = 'torchvision:ResNet18_Weights.NOPE'"))
    with pytest.raises(DataError, match="not a torchvision weights name"):
        preparation(load_study(path).data)
    path.write_text(
        GOOD.replace("image_size = 16", "transforms = 'torchvision:ResNet18_Weights.IMAGENET1K_V1'")
    )
    with pytest.raises(DataError, match="mean"):  # the study's 1-channel 0.5 is not ImageNet's
        preparation(load_study(path).data)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_uint8_batches_reach_the_gpu_unchanged() -> None:
    dev = torch.device("cuda")
    im = Images(Uint8Source(U8, "k")).normalized(MEAN, STD)
    got = torch.cat([b.cpu() for b in im.stream(3, dev)])
    assert torch.equal(got, normalize(torch.from_numpy(U8).float() / 255, MEAN, STD))
