"""Large adversarial sets as a directory of float32 `.npy` chunks and a manifest (sizes, CRC-32s) written last:
written chunk by chunk as the attack produces them, read back memory-mapped one chunk at a time."""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import torch

from tltui.base import tempfiles
from tltui.core.images import Images

CHUNK_BYTES = 64 * 2**20
"""A chunk's pixel bytes (about 110 images at 224 px): a set larger than one chunk is stored as chunks."""
SUFFIX = ".chunks"
MANIFEST = "manifest.json"
FORMAT = 1


def chunk_rows(shape: tuple[int, ...], chunk_bytes: int) -> int:
    """Images per chunk for a set of `shape` (at least one)."""
    return max(1, chunk_bytes // max(int(np.prod(shape[1:], dtype=np.int64)) * 4, 1))


def _name(i: int) -> str:
    return f"{i:05d}.npy"


def _crc(fh: BinaryIO, size: int, block: int = 1 << 24) -> int:
    crc, pos = 0, 0
    while pos < size:
        buf = os.pread(fh.fileno(), min(block, size - pos), pos)
        if not buf:
            raise ValueError("truncated")
        crc, pos = zlib.crc32(buf, crc), pos + len(buf)
    return crc


def _header(fh: BinaryIO) -> tuple[tuple[int, ...], int]:
    fh.seek(0)
    version = np.lib.format.read_magic(fh)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read(fh)
    if fortran or dtype != np.float32:
        raise ValueError(f"chunk of {dtype}{' (Fortran order)' if fortran else ''}, expected float32")
    return tuple(shape), fh.tell()


class ChunkSource:
    """A chunked set's open chunk files, each mapped only while a batch is copied out of it (its pages leave the
    process's memory with the mapping), so reading a set of any size holds one batch."""

    def __init__(self, fhs: list[BinaryIO], shape: tuple[int, ...], rows: int, ident: str) -> None:
        self.fhs, self.shape, self.rows, self.ident = fhs, shape, rows, ident
        self.offsets = [_header(fh)[1] for fh in fhs]

    def _gather(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), *self.shape[1:]), dtype=np.float32)
        which = rows // self.rows
        for c in np.unique(which):
            sel = np.flatnonzero(which == c)
            fh, off = self.fhs[int(c)], self.offsets[int(c)]
            n = min(self.rows, self.shape[0] - int(c) * self.rows)
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                view = np.frombuffer(mm, np.float32, n * out[0].size, off).reshape(n, *self.shape[1:])
                out[sel] = view[rows[sel] - int(c) * self.rows]
                del view  # the mapping closes only once no array looks into it
        return out

    def read(self, rows: np.ndarray | slice, device: torch.device | None) -> torch.Tensor:
        idx = np.arange(self.shape[0])[rows] if isinstance(rows, slice) else np.asarray(rows, dtype=np.int64)
        t = torch.from_numpy(self._gather(idx))
        return t if device is None else t.to(device, non_blocking=device.type == "cuda")

    def hash_into(self, h: Any, rows: np.ndarray | None) -> None:
        h.update(self.ident.encode())
        if rows is not None:
            h.update(rows.astype(np.int64).tobytes())


class ChunkWriter:
    """A set written into chunk files in a temporary directory, row ranges in any order; `finish` writes the
    manifest last and renames the directory into place (a killed attack leaves only the temporary directory,
    which the next run's sweep removes)."""

    suffix = SUFFIX

    def __init__(self, root: Path, stem: str, shape: tuple[int, ...], chunk_bytes: int = CHUNK_BYTES) -> None:
        self.shape, self.count, self.rows = shape, 0, chunk_rows(shape, chunk_bytes)
        root.mkdir(parents=True, exist_ok=True)
        self.tmp: Path | None = Path(tempfile.mkdtemp(dir=root, prefix=tempfiles.prefix(stem), suffix=".tmp"))
        self.fhs: dict[int, BinaryIO] = {}
        self.offs: dict[int, int] = {}
        self.written = np.zeros(shape[0], dtype=bool)
        self.row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * 4

    @property
    def nbytes(self) -> int:
        return self.shape[0] * self.row_bytes

    def _chunk(self, c: int) -> tuple[BinaryIO, int]:
        if c not in self.fhs:
            assert self.tmp is not None
            fh = open(self.tmp / _name(c), "w+b")  # noqa: SIM115 (kept open: the set is read through it)
            n = min(self.rows, self.shape[0] - c * self.rows)
            np.lib.format.write_array_header_1_0(
                fh, {"descr": "<f4", "fortran_order": False, "shape": (n, *self.shape[1:])}
            )
            fh.flush()
            self.fhs[c], self.offs[c] = fh, fh.tell()
        return self.fhs[c], self.offs[c]

    def write(self, batch: torch.Tensor) -> None:
        self.write_at(self.count, batch.detach().float().cpu().numpy())

    def write_at(self, start: int, arr: np.ndarray) -> None:
        """Rows start… of the set, in any order (shards that land out of order); each row written once."""
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        stop = start + len(arr)
        if (
            tuple(arr.shape[1:]) != tuple(self.shape[1:])
            or stop > self.shape[0]
            or self.written[start:stop].any()
        ):
            raise ValueError(f"rows {start}… {arr.shape} do not fit a set of shape {self.shape}")
        pos = start
        while pos < stop:
            c = pos // self.rows
            end = min(stop, (c + 1) * self.rows)
            fh, off = self._chunk(c)
            os.pwrite(
                fh.fileno(),
                arr[pos - start : end - start].tobytes(),
                off + (pos - c * self.rows) * self.row_bytes,
            )
            pos = end
        self.written[start:stop] = True
        self.count += len(arr)

    def finish(self, path: Path | None) -> Images:
        """The written set: its manifest written last and the directory renamed to `path`, or, with None, files
        already unlinked that live as long as the returned Images."""
        if not self.written.all():
            raise ValueError(f"{int(self.written.sum())} of {self.shape[0]} adversarial images were written")
        assert self.tmp is not None
        fhs = [self._chunk(c)[0] for c in range((self.shape[0] + self.rows - 1) // self.rows)]
        if path is not None:
            chunks = []
            for c, fh in enumerate(fhs):
                size = os.fstat(fh.fileno()).st_size
                chunks.append({"file": _name(c), "bytes": size, "crc32": _crc(fh, size)})
            meta = {"format": FORMAT, "shape": list(self.shape), "chunk_rows": self.rows, "chunks": chunks}
            part = self.tmp / f".{MANIFEST}.part"
            part.write_text(json.dumps(meta))
            os.replace(part, self.tmp / MANIFEST)
            if path.exists():  # another job committed the same set meanwhile: ours replaces it
                shutil.rmtree(path, ignore_errors=True)
            os.rename(self.tmp, path)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None
        return Images(ChunkSource(fhs, self.shape, self.rows, str(path or id(self))))

    def close(self) -> None:
        for fh in self.fhs.values():
            with contextlib.suppress(OSError):
                fh.close()

    def discard(self) -> None:
        self.close()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)


def open_chunked(path: Path, ident: str) -> Images:
    """A committed chunked set, every chunk's size and CRC-32 checked against the manifest; ValueError when any
    part is missing or differs."""
    meta = json.loads((path / MANIFEST).read_text())
    if meta.get("format") != FORMAT:
        raise ValueError(f"manifest format {meta.get('format')!r}")
    shape, rows, chunks = tuple(int(s) for s in meta["shape"]), int(meta["chunk_rows"]), meta["chunks"]
    if rows < 1 or len(chunks) != (shape[0] + rows - 1) // rows:
        raise ValueError("chunk count")
    fhs: list[BinaryIO] = []
    try:
        for c, ch in enumerate(chunks):
            fh = open(path / str(ch["file"]), "rb")  # noqa: SIM115 (kept open: the set is read through it)
            fhs.append(fh)
            size = os.fstat(fh.fileno()).st_size
            got, off = _header(fh)
            n = min(rows, shape[0] - c * rows)
            if got != (n, *shape[1:]) or size != ch["bytes"] or size != off + n * int(np.prod(shape[1:])) * 4:
                raise ValueError(f"chunk {ch['file']}: shape or size")
            if _crc(fh, size) != ch["crc32"]:
                raise ValueError(f"chunk {ch['file']}: checksum")
    except BaseException:
        for f in fhs:
            f.close()
        raise
    return Images(ChunkSource(fhs, shape, rows, ident))
