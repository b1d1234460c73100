"""Pixel images read a batch at a time (a float tensor, the uint8 decoded-data cache, or a float32 `.npy` file), so
no analysis of a large split holds a float copy of all of it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, BinaryIO, Protocol

import numpy as np
import torch


class _Source(Protocol):
    shape: tuple[int, ...]

    def read(self, rows: np.ndarray | slice, device: torch.device | None) -> torch.Tensor: ...

    def hash_into(self, h: Any, rows: np.ndarray | None) -> None: ...


class Batched(Protocol):
    """What reads pixel images by slices: a float tensor, Images, or a view made of them."""

    def __len__(self) -> int: ...

    def __getitem__(self, key: slice, /) -> torch.Tensor: ...


class TensorSource:
    """Images already in memory as a float tensor (the demo's digits, tests)."""

    def __init__(self, t: torch.Tensor) -> None:
        self.t, self.shape = t, tuple(t.shape)

    def read(self, rows: np.ndarray | slice, device: torch.device | None) -> torch.Tensor:
        got = self.t[rows] if isinstance(rows, slice) else self.t[torch.from_numpy(rows)]
        return got if device is None else got.to(device)

    def hash_into(self, h: Any, rows: np.ndarray | None) -> None:
        t = self.t if rows is None else self.t[torch.from_numpy(rows)]
        h.update(t.contiguous().numpy().tobytes())


class Uint8Source:
    """N×C×H×W uint8 pixels (the memory-mapped decoded-data cache); a batch becomes float on its device, so only
    a quarter of the bytes cross to a GPU (from pinned memory, without waiting)."""

    def __init__(self, arr: np.ndarray, ident: str) -> None:
        self.arr, self.ident, self.shape = arr, ident, tuple(arr.shape)

    def read(self, rows: np.ndarray | slice, device: torch.device | None) -> torch.Tensor:
        u8 = torch.from_numpy(np.array(self.arr[rows]))  # a writable copy of the batch only
        if device is not None and device.type == "cuda":
            u8 = u8.pin_memory().to(device, non_blocking=True)
        elif device is not None:
            u8 = u8.to(device)
        # the division (not a multiply by 1/255) is torchvision's ToTensor: the same floats, bit for bit
        return u8.float().div_(255.0)

    def hash_into(self, h: Any, rows: np.ndarray | None) -> None:
        h.update(self.ident.encode())
        if rows is not None:
            h.update(rows.astype(np.int64).tobytes())


class NpySource:
    """A float32 `.npy` file read with plain file reads: the page cache holds it, not the process's memory."""

    def __init__(self, fh: BinaryIO, ident: str) -> None:
        self.fh, self.ident = fh, ident
        fh.seek(0)
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        if fortran or dtype != np.float32:
            raise ValueError(
                f"expected C-ordered float32, got {dtype}{' (Fortran order)' if fortran else ''}"
            )
        self.shape, self.offset = tuple(shape), fh.tell()
        self.row = int(np.prod(self.shape[1:], dtype=np.int64)) * 4
        need = self.offset + self.row * (self.shape[0] if self.shape else 0)
        if os.fstat(fh.fileno()).st_size != need:
            raise ValueError("truncated")

    def _rows(self, start: int, stop: int) -> np.ndarray:
        n = max(stop - start, 0)
        buf = os.pread(self.fh.fileno(), n * self.row, self.offset + start * self.row)
        if len(buf) != n * self.row:
            raise ValueError("truncated")
        return np.frombuffer(buf, dtype=np.float32).reshape(n, *self.shape[1:])

    def read(self, rows: np.ndarray | slice, device: torch.device | None) -> torch.Tensor:
        if isinstance(rows, slice):
            start, stop, step = rows.indices(self.shape[0])
            arr = self._rows(start, stop)[::step]
        else:
            arr = (
                np.stack([self._rows(int(r), int(r) + 1)[0] for r in rows]) if len(rows) else self._rows(0, 0)
            )
        t = torch.from_numpy(arr.copy())
        return t if device is None else t.to(device, non_blocking=device.type == "cuda")

    def hash_into(self, h: Any, rows: np.ndarray | None) -> None:
        h.update(self.ident.encode())
        if rows is not None:
            h.update(rows.astype(np.int64).tobytes())


class Images:
    """N pixel images in [0,1] (N×C×H×W) that slice like a tensor: `x[a:b]` is a float batch, `x[index]` another
    Images (a view), and `normalized` folds a mean/std into every batch read."""

    def __init__(
        self,
        source: _Source,
        rows: np.ndarray | None = None,
        norm: tuple[tuple[float, ...], tuple[float, ...]] | None = None,
    ) -> None:
        self.source, self.rows, self.norm = source, rows, norm

    @classmethod
    def of(cls, x: torch.Tensor | Images) -> Images:
        """`x` as Images (a tensor is wrapped, not copied)."""
        return x if isinstance(x, Images) else cls(TensorSource(x))

    def __len__(self) -> int:
        return len(self.rows) if self.rows is not None else int(self.source.shape[0])

    @property
    def shape(self) -> torch.Size:
        return torch.Size((len(self), *self.source.shape[1:]))

    def _read(self, sel: np.ndarray | slice, device: torch.device | None) -> torch.Tensor:
        if self.rows is not None:
            sel = self.rows[sel]
        x = self.source.read(sel, device)
        if self.norm is not None:
            m, s = self.norm
            shape = (1, -1, *([1] * (x.dim() - 2)))
            x = (x - torch.tensor(m, dtype=x.dtype, device=x.device).view(shape)) / torch.tensor(
                s, dtype=x.dtype, device=x.device
            ).view(shape)
        return x

    def __getitem__(self, key: Any) -> Any:
        """A slice: a float tensor; an int: one image; positions (ints, a bool mask, a tensor): an Images view."""
        if isinstance(key, slice):
            return self._read(key, None)
        if isinstance(key, (int, np.integer)):
            i = int(key) + (len(self) if key < 0 else 0)
            return self._read(slice(i, i + 1), None)[0]
        idx = np.asarray(key.cpu() if isinstance(key, torch.Tensor) else key)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.int64).reshape(-1)
        return Images(self.source, idx if self.rows is None else self.rows[idx], self.norm)

    def take(self, idx: np.ndarray) -> Images:
        """The images at positions `idx`: a view (a float tensor source is copied, as the old splits were)."""
        view: Images = self[idx]
        if isinstance(self.source, TensorSource) and self.norm is None:
            return Images(TensorSource(view.full()))
        return view

    def normalized(self, mean: tuple[float, ...], std: tuple[float, ...]) -> Images:
        """The same images, each batch read as (x − mean) / std per channel."""
        if self.norm is not None:
            raise ValueError("these images are normalised already")
        return Images(self.source, self.rows, (tuple(mean), tuple(std)))

    def batch(self, start: int, stop: int, device: torch.device) -> torch.Tensor:
        """Images start…stop−1 as a float batch on `device` (a uint8 source converts there)."""
        return self._read(slice(start, stop), device)

    def stream(self, batch_size: int, device: torch.device) -> Iterator[torch.Tensor]:
        """Consecutive batches on `device`; on CUDA the next batch's copy is issued before this one is used, so
        the transfer overlaps the computation."""
        n = len(self)
        starts = list(range(0, n, batch_size))
        if device.type != "cuda":
            for i in starts:
                yield self.batch(i, i + batch_size, device)
            return
        nxt = self.batch(starts[0], starts[0] + batch_size, device) if starts else None
        for k in range(len(starts)):
            cur = nxt
            if k + 1 < len(starts):
                nxt = self.batch(starts[k + 1], starts[k + 1] + batch_size, device)
            assert cur is not None
            yield cur

    def full(self) -> torch.Tensor:
        """Every image as one float tensor on the CPU (for the code that still needs a whole split at once)."""
        if isinstance(self.source, TensorSource) and self.rows is None and self.norm is None:
            return self.source.t
        return self._read(slice(None), None)

    def to(self, device: Any) -> torch.Tensor:
        return self.full().to(device)

    def numpy(self) -> np.ndarray:
        return self.full().numpy()

    def hash_into(self, h: Any) -> None:
        """Feed what identifies these images to a hashlib object (a float tensor: its bytes, as before)."""
        if self.norm is not None:
            h.update(repr(self.norm).encode())
        self.source.hash_into(h, self.rows)


DISPLAY = 64
"""Images wider or taller than this are stored for display (the run directory's `x`, `x_teacher_adv`) averaged
down to it: a terminal draws no more, and the run stays small at 224 px."""


def thumbnails(images: Images, batch_size: int = 256) -> np.ndarray:
    """All images as float16 for display, area-averaged to at most DISPLAY px a side (smaller ones unchanged;
    averaging keeps a perturbation within its L∞ budget)."""
    n, c, h, w = images.shape
    size = (min(h, DISPLAY), min(w, DISPLAY))
    out = np.empty((n, c, *size), dtype=np.float16)
    for i in range(0, n, batch_size):
        xb = images[i : i + batch_size]
        if size != (h, w):
            xb = torch.nn.functional.adaptive_avg_pool2d(xb, size)
        out[i : i + len(xb)] = xb.numpy().astype(np.float16)
    return out
