"""Datasets: ImageFolder trees prepared per the study (through the decoded-data cache), and the bundled digits."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from tltui.base.errors import DataError
from tltui.base.study import DataSpec, Study
from tltui.core.datacache import decode, list_images, load_pixels, preparation
from tltui.core.images import Images, Uint8Source
from tltui.core.sampling import stratified_sample


class Split:
    """One dataset split: pixel images in [0,1] (N×C×H×W, before normalisation), labels and instance ids.

    `images` reads them a batch at a time (the uint8 decoded-data cache of an ImageFolder tree); `x` is all of
    them as one float tensor, for the code that trains on a whole split (mitigations, treatments, builds)."""

    def __init__(self, x: torch.Tensor | Images, y: torch.Tensor, classes: list[str], ids: list[str]) -> None:
        self.images = Images.of(x)
        self.y, self.classes, self.ids = y, classes, ids
        self._x: torch.Tensor | None = None

    @property
    def x(self) -> torch.Tensor:
        """All images as one float tensor, made on first use and kept (the analysis never asks for it)."""
        if self._x is None:
            self._x = self.images.full()
        return self._x

    def __len__(self) -> int:
        return int(self.y.shape[0])

    @property
    def num_classes(self) -> int:
        return len(self.classes)


def normalize(x: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
    """Per-channel (x − mean) / std."""
    m = torch.tensor(mean, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    s = torch.tensor(std, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    return (x - m) / s


def load_imagefolder(
    root: Path, spec: DataSpec, *, what: str, cache: Path | None = None, seed: int = 0
) -> Split:
    """Read root/<class>/<image> into a Split (through the decoded-data cache `cache` when given); empty trees,
    single classes and unreadable images are errors."""
    classes, files = list_images(root, what=what, limit=spec.limit, seed=seed)
    prep = preparation(spec)
    pixels, ident = load_pixels(root, files, prep, cache, what=what)
    y = torch.tensor([ci for _, ci in files], dtype=torch.long)
    ids = [str(f.relative_to(root)) for f, _ in files]
    return Split(Images(Uint8Source(pixels, ident)), y, classes, ids)


def load_counterfactuals(root: Path, spec: DataSpec, split: Split) -> tuple[Images, np.ndarray]:
    """The counterfactual of each instance of `split` (the image at `root/<its id>`, prepared like the split;
    decoded as uint8 into an unlinked temporary file, read a batch at a time) and which instances have one; a
    one-line error when none has."""
    prep = preparation(spec)
    spill = tempfile.TemporaryFile()  # noqa: SIM115 (the memory map keeps it open; closed with it)
    x_cf = np.memmap(spill, dtype=np.uint8, mode="w+", shape=tuple(split.images.shape))
    have = np.zeros(len(split), dtype=bool)
    for i, rel in enumerate(split.ids):
        f = root / rel
        if not f.is_file():
            continue
        try:
            pixels = decode(f, prep)
        except DataError:
            raise DataError(f"counterfactual image {f}: cannot read it") from None
        x_cf[i] = pixels.transpose(2, 0, 1)  # read back as x / 255, as the split's own pixels are
        have[i] = True
    if not have.any():
        raise DataError(
            f"[data] counterfactuals {root}: no image matches a training image's path (<class>/<image>)"
        )
    return Images(Uint8Source(x_cf, f"counterfactuals:{root}")), have


@dataclass
class DigitsSplits:
    """The demo's four splits: source (digits 0–4) and target (digits 5–9, relabelled 0–4)."""

    source_train: Split
    source_test: Split
    target_train: Split
    target_test: Split


def load_digits_splits(image_size: int = 16, seed: int = 0) -> DigitsSplits:
    """scikit-learn's bundled 8×8 digits, upsampled, split 70/30 per task with a fixed seed."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = torch.from_numpy(d.images.astype(np.float32) / 16.0).unsqueeze(1)
    if image_size != 8:
        x = F.interpolate(x, size=(image_size, image_size), mode="bilinear", align_corners=False).clamp_(0, 1)
    y = torch.from_numpy(d.target.astype(np.int64))
    idx = np.arange(len(y))

    def make(mask: np.ndarray, offset: int) -> tuple[Split, Split]:
        sel = idx[mask]
        tr, te = train_test_split(sel, test_size=0.3, random_state=seed, stratify=d.target[sel])
        names = [str(k) for k in range(offset, offset + 5)]

        def split(ii: np.ndarray) -> Split:
            ii = np.sort(ii)
            t = torch.from_numpy(ii)
            return Split(x=x[t].contiguous(), y=y[t] - offset, classes=names, ids=[f"digit-{i}" for i in ii])

        return split(tr), split(te)

    s_tr, s_te = make(d.target < 5, 0)
    t_tr, t_te = make(d.target >= 5, 5)
    return DigitsSplits(s_tr, s_te, t_tr, t_te)


@dataclass
class StudyData:
    """Everything a study's analysis reads: student train/validation/test, optional source test and teacher-train
    data."""

    train: Split | None
    test: Split
    source_test: Split | None
    source_train: Split | None = None
    val: Split | None = None
    """Carved from the student training data (never trained on): what tltui's own choices are judged on."""


def subset(split: Split, idx: np.ndarray) -> Split:
    """The instances of `split` at positions `idx` (in that order)."""
    t = torch.as_tensor(idx, dtype=torch.long)
    return Split(split.images.take(np.asarray(idx)), split.y[t], split.classes, [split.ids[i] for i in idx])


def carve_validation(train: Split, fraction: float, seed: int) -> tuple[Split, Split | None]:
    """(training data left, validation split): a seeded stratified `fraction` of `train` set aside."""
    k = round(fraction * len(train))
    if k <= 0:
        return train, None
    val = stratified_sample(train.y.numpy(), k, seed)
    keep = np.setdiff1d(np.arange(len(train)), val)
    return subset(train, keep), subset(train, val)


def load_study_data(study: Study, cache: Path | None = None) -> StudyData:
    """Load the study's splits (the demo builds its own from the bundled digits); ImageFolder trees go through the
    decoded-data cache directory `cache` when given."""
    spec = study.data
    if spec.kind == "digits":
        s = load_digits_splits(spec.image_size, seed=study.seed)
        fit, held = carve_validation(s.target_train, spec.val_fraction, study.seed)
        return StudyData(
            train=fit, test=s.target_test, source_test=s.source_test, source_train=s.source_train, val=held
        )
    assert spec.test is not None
    seed = study.seed
    test = load_imagefolder(spec.test, spec, what="test", cache=cache, seed=seed)
    train = load_imagefolder(spec.train, spec, what="train", cache=cache, seed=seed) if spec.train else None
    source = (
        load_imagefolder(spec.source_test, spec, what="source_test", cache=cache, seed=seed)
        if spec.source_test
        else None
    )
    if train is not None and train.classes != test.classes:
        raise DataError(
            f"train data {spec.train} and test data {spec.test} have different class folders "
            f"({len(train.classes)} vs {len(test.classes)}); they must match"
        )
    val = None
    if train is not None:
        train, val = carve_validation(train, spec.val_fraction, study.seed)
    return StudyData(train=train, test=test, source_test=source, val=val)
