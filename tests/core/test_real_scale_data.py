"""Real-scale data: a 224-px ImageFolder study evaluates exactly like plain torchvision, through a decoded-data cache
that a second run reuses and a changed file invalidates; `limit` samples per class."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image
from safetensors.torch import save_file
from torchvision import transforms as T

from tltui.base.progress import drain
from tltui.base.study import load_study
from tltui.core.analysis import Analysis
from tltui.core.data import load_study_data

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
SIZES = [(300, 260), (256, 341), (410, 300), (257, 257), (500, 280), (290, 400)]


def make_study(root: Path, prep: str) -> Path:
    rng = np.random.default_rng(0)
    for i, (w, h) in enumerate(SIZES * 2):
        # smooth gradients plus noise: resampling differences would show
        yy, xx = np.mgrid[0:h, 0:w]
        base = np.stack([(xx * (i + 1)) % 256, (yy * 3) % 256, (xx + yy) % 256], axis=-1)
        img = (base + rng.integers(0, 40, (h, w, 3))).clip(0, 255).astype(np.uint8)
        out = root / "test" / f"c{i % 3}" / f"{i}.jpg"
        out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img).save(out, quality=90)
    torch.manual_seed(0)
    net = torchvision.models.resnet18(num_classes=3)
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(root / "w.safetensors"))
    study = root / "study.toml"
    study.write_text(
        f"""name = "big"
[data]
test = "test"
{prep}
[teacher]
arch = "torchvision:resnet18"
weights = "w.safetensors"
num_classes = 3
[[variants]]
name = "finetune"
arch = "torchvision:resnet18"
weights = "w.safetensors"
num_classes = 3
"""
    )
    return study


def torchvision_eval(root: Path) -> tuple[np.ndarray, float]:
    """The plain evaluation a user would write: Resize(256) + CenterCrop(224) + ToTensor + Normalize."""
    tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(MEAN, STD)])
    ds = torchvision.datasets.ImageFolder(str(root / "test"), transform=tf)
    net = torchvision.models.resnet18(num_classes=3)
    from safetensors.torch import load_file

    net.load_state_dict(load_file(str(root / "w.safetensors")))
    net.eval()
    with torch.no_grad():
        xs = torch.stack([ds[i][0] for i in range(len(ds))])
        probs = net(xs).softmax(dim=1).numpy()
    y = np.array(ds.targets)
    return probs, float((probs.argmax(1) == y).mean())


@pytest.mark.parametrize(
    "prep", ["resize = 256\ncrop = 224", 'transforms = "torchvision:ResNet18_Weights.IMAGENET1K_V1"']
)
def test_clean_accuracy_equals_a_plain_torchvision_evaluation(tmp_path: Path, prep: str) -> None:
    study = load_study(make_study(tmp_path, prep))
    an = Analysis(study, tmp_path / "ws", torch.device("cpu"), batch_size=4)
    drain(an.load())
    test = an.data.test
    assert tuple(test.images.shape) == (12, 3, 224, 224)
    pred, _, probs = an.predict(an.variants["finetune"], test.images)
    want_probs, want_acc = torchvision_eval(tmp_path)
    assert float((pred == test.y.numpy()).mean()) == want_acc
    np.testing.assert_allclose(probs, want_probs, rtol=1e-4, atol=1e-6)


def test_the_cache_serves_a_second_run_and_notices_a_changed_file(tmp_path: Path) -> None:
    study = load_study(make_study(tmp_path, "resize = 256\ncrop = 224"))
    cache = tmp_path / "ws" / "data"
    first = load_study_data(study, cache).test
    entries = list(cache.glob("*.u8"))
    assert len(entries) == 1 and entries[0].stat().st_size == 12 * 3 * 224 * 224
    stamp = entries[0].stat().st_mtime_ns
    again = load_study_data(study, cache).test
    assert list(cache.glob("*.u8")) == entries and entries[0].stat().st_mtime_ns == stamp  # not decoded again
    assert torch.equal(first.x, again.x)
    changed = tmp_path / "test" / "c0" / "0.jpg"
    Image.fromarray(np.zeros((300, 300, 3), np.uint8)).save(changed)
    os.utime(changed, ns=(stamp + 10**9, stamp + 10**9))
    third = load_study_data(study, cache).test
    assert [p.name for p in cache.glob("*.u8")] != [p.name for p in entries]  # re-decoded, old entry gone
    assert len(list(cache.glob("*.u8"))) == 1
    assert third.x[0].abs().sum() == 0 and torch.equal(third.x[1:], first.x[1:])


def test_limit_keeps_a_stratified_sample(tmp_path: Path) -> None:
    study = load_study(make_study(tmp_path, "image_size = 32\nlimit = 6"))
    test = load_study_data(study).test
    assert len(test) == 6 and np.bincount(test.y.numpy()).tolist() == [2, 2, 2]
