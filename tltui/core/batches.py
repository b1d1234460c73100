"""Training batches streamed from a split's images (the uint8 decoded-data cache, or a float tensor) in a seeded
order, with an optional torchvision-style augmentation; no float copy of the whole split is ever made."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch

from tltui.base.augment import AUGMENTS
from tltui.core.images import Images


def crop_box(h: int, w: int, gen: torch.Generator) -> tuple[int, int, int, int]:
    """(top, left, height, width) of one RandomResizedCrop, drawn from `gen` as torchvision draws it."""
    area = h * w
    log_ratio = (math.log(3 / 4), math.log(4 / 3))
    for _ in range(10):
        target = area * float(torch.empty(1).uniform_(0.08, 1.0, generator=gen))
        ratio = math.exp(float(torch.empty(1).uniform_(*log_ratio, generator=gen)))
        cw, ch = round(math.sqrt(target * ratio)), round(math.sqrt(target / ratio))
        if 0 < cw <= w and 0 < ch <= h:
            top = int(torch.randint(0, h - ch + 1, (1,), generator=gen))
            left = int(torch.randint(0, w - cw + 1, (1,), generator=gen))
            return top, left, ch, cw
    ratio_now = w / h  # torchvision's fallback: the largest central crop within the ratio range
    if ratio_now < 3 / 4:
        cw, ch = w, round(w / (3 / 4))
    elif ratio_now > 4 / 3:
        ch, cw = h, round(h * (4 / 3))
    else:
        cw, ch = w, h
    return (h - ch) // 2, (w - cw) // 2, ch, cw


def crop_flip(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Each image of the batch `x` (N×C×H×W in [0,1]) randomly resized-cropped back to H×W and flipped."""
    import torchvision.transforms.v2.functional as TF

    _, _, h, w = x.shape
    out = torch.empty_like(x)
    for i in range(len(x)):
        top, left, ch, cw = crop_box(h, w, gen)
        img = TF.resized_crop(x[i], top, left, ch, cw, [h, w], antialias=True)
        if float(torch.rand(1, generator=gen)) < 0.5:
            img = img.flip(-1)
        out[i] = img
    return out


def batches(
    images: Images,
    y: torch.Tensor,
    order: torch.Tensor,
    batch_size: int,
    device: torch.device,
    *,
    augment: str = "none",
    gen: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """(pixels, labels) of `images` batch by batch in `order`, on `device`; on CUDA a uint8 batch crosses from
    pinned memory without waiting, and the next batch's copy is issued before this one is used."""
    if augment not in AUGMENTS:
        raise ValueError(f"augment {augment!r}: one of {', '.join(AUGMENTS)}")
    rows = order.cpu().numpy().astype(np.int64)
    starts = list(range(0, len(rows), batch_size))

    def read(i: int) -> tuple[torch.Tensor, torch.Tensor]:
        idx = rows[i : i + batch_size]
        x = images[idx].batch(0, len(idx), device)
        yb = y[torch.from_numpy(idx)].to(device, non_blocking=device.type == "cuda")
        return x, yb

    ahead = read(starts[0]) if starts else None
    for k in range(len(starts)):
        assert ahead is not None
        x, yb = ahead
        if k + 1 < len(starts):
            ahead = read(starts[k + 1])
        if augment == "crop-flip":
            assert gen is not None
            x = crop_flip(x, gen)
        yield x, yb
