"""Adversarial examples cached per (model weights, attack, budget, data), so no view or rerun recomputes them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Generator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.base import tempfiles
from tltui.base.cachedir import cap_bytes, evict, touch
from tltui.base.progress import Progress
from tltui.core.advchunks import (
    CHUNK_BYTES,
    MANIFEST,
    SUFFIX,
    ChunkSource,
    ChunkWriter,
    chunk_rows,
    open_chunked,
)
from tltui.core.attacks.engine import AttackConfig
from tltui.core.images import Images, NpySource


def model_digest(model: nn.Module) -> str:
    """A digest of the model's parameters and buffers (names, shapes and bytes)."""
    h = hashlib.sha256()
    for name, t in model.state_dict().items():
        h.update(name.encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(t.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()[:20]


def data_digest(x: torch.Tensor | Images) -> str:
    """What identifies a split's images (a float tensor: its bytes; the decoded-data cache: its key)."""
    h = hashlib.sha256()
    Images.of(x.detach().cpu() if isinstance(x, torch.Tensor) else x).hash_into(h)
    return h.hexdigest()[:20]


class AdvWriter:
    """An adversarial set written batch by batch into a float32 `.npy` file with plain writes (no copy of the
    whole set stays in memory; the page cache holds the file), read back batch by batch."""

    suffix = ".npy"

    def __init__(self, root: Path, stem: str, shape: tuple[int, ...]) -> None:
        self.shape, self.count = shape, 0
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=root, prefix=tempfiles.prefix(stem), suffix=".tmp")
        self.tmp: Path | None = Path(tmp)
        self.fh = os.fdopen(fd, "w+b")
        header = {"descr": "<f4", "fortran_order": False, "shape": shape}
        np.lib.format.write_array_header_1_0(self.fh, header)
        self.offset = self.fh.tell()
        self.rows: set[int] = set()

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * 4

    def write(self, batch: torch.Tensor) -> None:
        arr = np.ascontiguousarray(batch.detach().float().cpu().numpy())
        if tuple(arr.shape[1:]) != tuple(self.shape[1:]) or self.count + len(arr) > self.shape[0]:
            raise ValueError(f"batch {arr.shape} does not fit a set of shape {self.shape} at {self.count}")
        self.fh.write(arr.tobytes())
        self.count += len(arr)

    def write_at(self, start: int, arr: np.ndarray) -> None:
        """Rows start… of the set, in any order (shards that land out of order); each row written once."""
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        rows = set(range(start, start + len(arr)))
        if (
            tuple(arr.shape[1:]) != tuple(self.shape[1:])
            or start + len(arr) > self.shape[0]
            or rows & self.rows
        ):
            raise ValueError(f"rows {start}… {arr.shape} do not fit a set of shape {self.shape}")
        self.fh.flush()
        row = int(np.prod(self.shape[1:], dtype=np.int64)) * 4
        os.pwrite(self.fh.fileno(), arr.tobytes(), self.offset + start * row)
        self.rows |= rows
        self.count += len(arr)

    def finish(self, path: Path | None) -> Images:
        """The written set: kept at `path` (renamed there), or, with None, a file already unlinked that lives
        as long as the returned Images."""
        if self.count != self.shape[0]:
            raise ValueError(f"{self.count} of {self.shape[0]} adversarial images were written")
        self.fh.flush()
        assert self.tmp is not None
        if path is None:
            self.tmp.unlink(missing_ok=True)
        else:
            os.replace(self.tmp, path)
        self.tmp = None
        return Images(NpySource(self.fh, str(path or id(self))))

    def close(self) -> None:
        with contextlib.suppress(
            OSError
        ):  # closing flushes: on a full disk that fails, and the file goes anyway
            self.fh.close()

    def discard(self) -> None:
        self.close()
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)


Writer = AdvWriter | ChunkWriter


class AdvCache:
    """Directory of adversarial sets keyed by what determines them, of any size, each written batch by batch and
    renamed into place when whole: a set of up to `chunk_bytes` as one `.npy` file, a larger one as a directory
    of chunks with its manifest (tltui/core/advchunks.py); the directory is held under the workspace's size cap
    (its parent's settings.toml, tltui/base/cachedir.py) by evicting the least recently used sets."""

    def __init__(self, root: Path, cap: int | None = None, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.root, self.chunk_bytes = root, chunk_bytes
        self.cap = cap_bytes(root.parent) if cap is None else cap
        tempfiles.sweep(root)  # the sets (files and chunk directories) of killed attacks
        self.handed: dict[str, Images] = {}
        """Sets computed elsewhere in this job (a distributed executor's merged shards), each used once."""

    def has(self, key: str) -> bool:
        return (
            key in self.handed
            or (self.root / f"{key}.npy").is_file()
            or (self.root / f"{key}{SUFFIX}").is_dir()
        )

    def put(self, key: str, result: torch.Tensor) -> None:
        """A set computed elsewhere (a distributed executor's merged shards): written once, by this process
        only, as `get_or_write` would, and handed to its next read."""
        self.handed[key] = self._write_whole(key, result)[1]

    def open(self, key: str, shape: tuple[int, ...]) -> Writer:
        """A writer for a set computed elsewhere shard by shard (`AdvWriter.write_at`); `hand` commits it."""
        return self._writer(key, shape)

    def hand(self, key: str, writer: Writer) -> None:
        """The whole set of `open`, committed as `get_or_write` would and handed to its next read."""
        self.handed[key] = self._commit(writer, key)

    def _write_whole(self, key: str, result: torch.Tensor) -> tuple[Writer, Images]:
        """A whole set written and committed as `get_or_write` does batch by batch; the writer holds its file."""
        writer = self._writer(key, tuple(result.shape))
        try:
            writer.write(result)
            return writer, self._commit(writer, key)
        except BaseException:
            writer.discard()
            raise

    def key(self, model: str, attack: str, cfg: AttackConfig, data: str, seed: int, extra: Any = None) -> str:
        ident = {
            "model": model,
            "attack": attack,
            "cfg": {
                k: v for k, v in asdict(cfg).items() if v is not None
            },  # keys from before `scale` stay valid
            "data": data,
            "seed": seed,
            "extra": extra,
        }
        return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]

    def _cached(self, key: str, clean: Images | None, cfg: AttackConfig | None) -> Images | None:
        """The entry for `key` when it could be this attack's output on `clean`; a damaged one (truncated, wrong
        shape, NaN, out of range or of budget) is logged and removed."""
        path, chunked = self.root / f"{key}.npy", self.root / f"{key}{SUFFIX}"
        if not path.is_file():
            if not chunked.is_dir():
                return None
            path = chunked
        try:
            if path == chunked:
                found = open_chunked(path, key)
                bad = check(found, clean, cfg) if clean is not None else None
                how = f", {len(found.source.fhs)} chunks" if isinstance(found.source, ChunkSource) else ""
            else:
                with open(path, "rb") as fh:
                    bad = check(Images(NpySource(fh, key)), clean, cfg) if clean is not None else None
                found, how = Images(NpySource(open(path, "rb"), key)), ""  # noqa: SIM115 (read through it)
            if bad is None:
                touch(chunked / MANIFEST if path == chunked else path)  # the LRU clock
                print(f"adversarial cache: read {key} ({len(found)} images{how}) from the cache", flush=True)
                return found
        except (OSError, ValueError, EOFError, KeyError, TypeError) as exc:
            bad = f"unreadable ({type(exc).__name__})"
        print(f"adversarial cache: removed {path.name} ({bad}); recomputing it", flush=True)
        if path == chunked:
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        return None

    def _writer(self, key: str, shape: tuple[int, ...]) -> Writer:
        def make(root: Path) -> Writer:
            if shape[0] > chunk_rows(shape, self.chunk_bytes):
                return ChunkWriter(root, key, shape, self.chunk_bytes)
            return AdvWriter(root, key, shape)

        try:
            return make(self.root)
        except OSError as exc:  # a cache that cannot be written only costs time: the run goes on
            print(f"adversarial cache: cannot write in {self.root} ({exc.strerror}); using a temporary file")
            return make(Path(tempfile.gettempdir()))

    def _commit(self, writer: Writer, key: str) -> Images:
        keep = writer.nbytes <= self.cap and writer.tmp is not None and writer.tmp.parent == self.root
        name = f"{key}{writer.suffix}"
        try:
            done = writer.finish(self.root / name if keep else None)
        except OSError as exc:
            print(f"adversarial cache: cannot write {name} ({exc.strerror}); not cached", flush=True)
            return writer.finish(None)
        if keep:
            for e in evict(self.root.parent, self.root.name, self.cap, frozenset({name})):
                print(
                    f"adversarial cache: evicted {e.name} ({e.bytes / 2**20:,.0f} MiB, least recently used)"
                )
        return done

    def get_or_write(
        self,
        key: str,
        compute: Callable[[Writer], Generator[Progress, None, None]],
        clean: Images,
        cfg: AttackConfig | None = None,
    ) -> Generator[Progress, None, Images]:
        """The cached set for `key`, else the set `compute` writes batch by batch (cached when it fits the cap,
        else kept in an unlinked temporary file); read back batch by batch either way."""
        found = self.handed.pop(key, None)
        if found is None:
            found = self._cached(key, clean, cfg)
        if found is not None:
            return found
        writer = self._writer(key, tuple(clean.shape))
        try:
            yield from compute(writer)
            return self._commit(writer, key)
        except BaseException:
            writer.discard()
            raise

    def get_or_run(
        self,
        key: str,
        compute: Generator[Progress, None, torch.Tensor],
        clean: torch.Tensor | None = None,
        cfg: AttackConfig | None = None,
    ) -> Generator[Progress, None, torch.Tensor]:
        """`get_or_write` for a computation that returns the whole set as one tensor."""
        found = self.handed.pop(key, None)
        if found is None:
            found = self._cached(key, None if clean is None else Images.of(clean), cfg)
        if found is not None:
            compute.close()
            return found.full()
        result: torch.Tensor = yield from compute
        self._write_whole(key, result)[0].close()  # the caller keeps the tensor, not the files
        return result


def check(adv: Images, clean: Images, cfg: AttackConfig | None, batch_size: int = 256) -> str | None:
    """`problem`, batch by batch over a set read from disk."""
    if tuple(adv.shape) != tuple(clean.shape):
        return f"shape {tuple(adv.shape)}, expected {tuple(clean.shape)}"
    for i in range(0, len(clean), batch_size):
        bad = problem(adv[i : i + batch_size].numpy(), clean[i : i + batch_size], cfg)
        if bad is not None:
            return bad
    return None


TOLERANCE = 1e-4


def problem(arr: np.ndarray, clean: torch.Tensor, cfg: AttackConfig | None) -> str | None:
    """Why `arr` cannot be an attack's output on `clean` within `cfg`'s budget; None when it can."""
    x = clean.detach().cpu().float().numpy()
    if arr.shape != x.shape or arr.dtype != np.float32:
        return f"{arr.dtype} {arr.shape}, expected float32 {x.shape}"
    if not np.isfinite(arr).all():
        return "non-finite values"
    if arr.size and (arr.min() < -TOLERANCE or arr.max() > 1 + TOLERANCE):
        return "values outside [0, 1]"
    if cfg is None or not arr.size:
        return None
    delta = (arr - x).reshape(len(x), -1) if cfg.norm == "l2" and cfg.scale is None else arr - x
    if cfg.norm == "l2" and cfg.scale is None:
        dist = float(np.linalg.norm(delta, axis=1).max())
    elif cfg.scale is not None and x.ndim >= 2 and len(cfg.scale) == x.shape[1]:
        per = np.asarray(cfg.scale, dtype=np.float32).reshape(1, -1, *([1] * (x.ndim - 2)))
        dist = float(np.abs(delta / per).max())
    else:
        dist = float(np.abs(delta).max())
    if dist > cfg.eps * (1 + 1e-3) + TOLERANCE:
        return f"perturbation {dist:.4g} beyond ε = {cfg.eps:.4g}"
    return None
