"""ImageFolder trees decoded once, in parallel, into a uint8 memory-mapped cache in the workspace, keyed by the file
list, sizes, modification times and the preprocessing (docs/interfaces.md#data-preprocessing)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tltui.base import tempfiles
from tltui.base.cachedir import touch
from tltui.base.errors import DataError
from tltui.base.study import DataSpec
from tltui.core.sampling import stratified_sample

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}
VERSION = 2
"""Bump when decoding changes: every cached entry is then decoded again (2: 16-bit images scaled, not clipped)."""
MAX_PIXELS = 64_000_000
"""The most pixels one image may have (read from its header, before decoding): a larger one is refused naming
the file (a decompression bomb would take the machine's memory)."""
WIDE_MODES = {"I;16": 65535, "I;16L": 65535, "I;16B": 65535, "I;16N": 65535, "I": 65535}
"""Integer modes Pillow would clip to 8 bits (a 16-bit PNG turns white): scaled from their full range instead."""


@dataclass(frozen=True)
class Prep:
    """How an image file becomes size × size pixels: a square resize (`resize` None), or torchvision's
    Resize(resize) (shorter side) + CenterCrop(size)."""

    size: int
    channels: int
    resize: int | None = None
    interpolation: str = "bilinear"


def preparation(spec: DataSpec) -> Prep:
    """The study's preprocessing; a torchvision weights' own transforms are read from its metadata (no download)."""
    if spec.transforms is None:
        return Prep(spec.image_size, spec.channels, spec.resize, spec.interpolation)
    from torchvision.models import get_weight

    name = spec.transforms.removeprefix("torchvision:")
    try:
        preset = get_weight(name).transforms()
    except (ValueError, KeyError, AttributeError, TypeError):
        raise DataError(
            f"[data] transforms = {spec.transforms!r}: not a torchvision weights name "
            "(e.g. 'torchvision:ResNet50_Weights.IMAGENET1K_V2')"
        ) from None
    crop, resize = int(preset.crop_size[0]), int(preset.resize_size[0])
    if crop != spec.image_size:
        raise DataError(
            f"[data] transforms = {spec.transforms!r} crops to {crop} px: set image_size = {crop}"
        )
    for key, mine, theirs in (("mean", spec.mean, preset.mean), ("std", spec.std, preset.std)):
        if len(mine) != len(theirs) or not np.allclose(mine, theirs):
            raise DataError(
                f"[data] {key} = {list(mine)}, but {spec.transforms} expects {list(theirs)}: set it"
            )
    return Prep(crop, spec.channels, resize, str(preset.interpolation.value))


def list_images(
    root: Path, *, what: str, limit: int | None = None, seed: int = 0
) -> tuple[list[str], list[tuple[Path, int]]]:
    """The class folders and the (file, class) pairs of root/<class>/<image>; `limit` keeps a seeded stratified
    sample. Empty trees and single classes are errors."""
    if not root.is_dir():
        raise DataError(f"{what} data {root}: directory not found")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    files: list[tuple[Path, int]] = []
    for ci, c in enumerate(classes):
        files += [(f, ci) for f in sorted((root / c).rglob("*")) if f.suffix.lower() in IMAGE_SUFFIXES]
    for f, _ in files:
        if not f.is_file():  # a FIFO or device named like an image would block the decoder forever
            raise DataError(f"{what} data: {f}: not a regular file; remove it or move it out of the tree")
    if not files:
        raise DataError(f"{what} data {root}: no images found (expected {root}/<class>/<image>.png)")
    used = sorted({ci for _, ci in files})
    if len(used) < 2:
        only = classes[used[0]] if used else "?"
        raise DataError(
            f"{what} data {root}: only one class ('{only}') has images; a classifier needs two or more"
        )
    if limit is not None and limit < len(files):
        keep = stratified_sample(np.array([ci for _, ci in files]), limit, seed)
        files = [files[i] for i in keep]
    return classes, files


def decode(path: Path, prep: Prep) -> np.ndarray:
    """One image file as size × size × channels uint8, prepared as `prep` says."""
    from PIL import Image, UnidentifiedImageError

    mode = "L" if prep.channels == 1 else "RGB"
    try:
        with Image.open(path) as f:
            if f.size[0] * f.size[1] > MAX_PIXELS:
                raise DataError(
                    f"image {path}: {f.size[0]}×{f.size[1]} pixels, more than {MAX_PIXELS:,}; shrink or remove it"
                )
            im = _eight_bit(f, path).convert(mode)
        if prep.resize is None:
            im = im.resize((prep.size, prep.size), Image.Resampling.BILINEAR)
        else:
            import torchvision.transforms.functional as TF
            from torchvision.transforms import InterpolationMode

            im = TF.resize(im, [prep.resize], interpolation=InterpolationMode(prep.interpolation))
            im = TF.center_crop(im, [prep.size])
        return np.array(im).reshape(prep.size, prep.size, prep.channels)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(f"cannot read image {path} ({type(exc).__name__}); remove or replace it") from None


def _eight_bit(im: Any, path: Path) -> Any:
    """`im` in a mode Pillow converts to L/RGB without loss of range: 16-bit and 32-bit integer images scaled
    from 0…65535 to 0…255; float images refused (no range to scale from)."""
    from PIL import Image

    if im.mode in WIDE_MODES:
        a = np.asarray(im, dtype=np.int64)
        if a.size and (a.min() < 0 or a.max() > WIDE_MODES[im.mode]):
            raise DataError(f"image {path}: {im.mode} values outside 0…65535; save it as 8- or 16-bit")
        return Image.fromarray(((a * 255 + 32767) // 65535).astype(np.uint8), mode="L")
    if im.mode == "F":
        raise DataError(f"image {path}: floating-point pixels ({im.mode}); save it as 8- or 16-bit")
    return im


def _key(root: Path, files: list[tuple[Path, int]], prep: Prep) -> str:
    h = hashlib.sha256(json.dumps([VERSION, str(root), asdict(prep)]).encode())
    for f, ci in files:
        st = f.stat()
        h.update(f"{f.relative_to(root)}\0{ci}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def _threads() -> int:
    return max(1, min(16, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


def _fill(out: np.ndarray, files: list[tuple[Path, int]], prep: Prep, what: str) -> None:
    """Decode every file into out[i] (N×C×H×W), on a few threads (PIL releases the GIL while it decodes)."""

    def one(i: int) -> None:
        try:
            out[i] = decode(files[i][0], prep).transpose(2, 0, 1)
        except DataError as exc:
            raise DataError(f"{what} data: {exc}") from None

    with ThreadPoolExecutor(_threads()) as pool:
        for _ in pool.map(one, range(len(files))):
            pass


def load_pixels(
    root: Path, files: list[tuple[Path, int]], prep: Prep, cache: Path | None, *, what: str
) -> tuple[np.ndarray, str]:
    """(N×C×H×W uint8 pixels, an identity of their content): from the cache when the files are unchanged, else
    decoded (and cached when `cache` is given; a cache that cannot be written only costs the decode next time)."""
    shape = (len(files), prep.channels, prep.size, prep.size)
    key = _key(root, files, prep)
    if cache is None:
        arr = np.empty(shape, dtype=np.uint8)
        _fill(arr, files, prep, what)
        return arr, key
    group = hashlib.sha256(json.dumps([str(root), asdict(prep)]).encode()).hexdigest()[:12]
    path = cache / f"{group}-{key}.u8"
    tempfiles.sweep(cache)  # the entries of killed decodes, also when this tree's entry is whole
    if path.is_file() and path.stat().st_size == int(np.prod(shape)):
        cached = np.memmap(path, dtype=np.uint8, mode="r", shape=shape)
        if _read_sum(path) == checksum(
            cached
        ):  # its bytes, not only its size: a damaged entry is decoded again
            touch(
                _sum_path(path)
            )  # `tltui cache list` shows when it was last used (the entry keeps its time)
            return cached, key
        del cached
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache, prefix=tempfiles.prefix(group), suffix=".tmp")
        os.close(fd)
    except OSError:
        arr = np.empty(shape, dtype=np.uint8)
        _fill(arr, files, prep, what)
        return arr, key
    try:
        mm = np.memmap(tmp, dtype=np.uint8, mode="w+", shape=shape)
        _fill(mm, files, prep, what)
        mm.flush()
        _write_sum(path, checksum(mm))
        del mm
        os.replace(tmp, path)
    except OSError as exc:  # a cache that cannot be written (a full disk) only costs time: decoded in memory
        print(f"data cache: cannot write {path} ({exc.strerror}); decoding into memory", flush=True)
        arr = np.empty(shape, dtype=np.uint8)
        _fill(arr, files, prep, what)
        return arr, key
    finally:
        Path(tmp).unlink(missing_ok=True)
    for old in cache.glob(f"{group}-*.u8*"):  # the tree's earlier contents: one entry per tree is enough
        if old not in (path, _sum_path(path)):
            old.unlink(missing_ok=True)
    return np.memmap(path, dtype=np.uint8, mode="r", shape=shape), key


def checksum(pixels: np.ndarray) -> str:
    """CRC-32 of the pixels' bytes, in chunks (a memory map is never read whole into memory)."""
    flat, crc = pixels.reshape(-1), 0
    for i in range(0, flat.size, 1 << 26):
        crc = zlib.crc32(np.ascontiguousarray(flat[i : i + (1 << 26)]).data, crc)
    return f"{crc:08x}"


def _sum_path(path: Path) -> Path:
    return path.with_name(path.name + ".crc32")


def _read_sum(path: Path) -> str | None:
    try:
        return _sum_path(path).read_text().strip()
    except OSError:
        return None


def _write_sum(path: Path, digest: str) -> None:
    """The entry's checksum beside it, written (atomically) before the entry itself is renamed into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=tempfiles.prefix(path.name), suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(digest)
        os.replace(tmp, _sum_path(path))
    finally:
        Path(tmp).unlink(missing_ok=True)
