"""Large adversarial sets are cached as chunks with a manifest written last: read back exactly across chunk
boundaries, never trusted half-written, damaged ones recomputed, stale temporary directories swept, and the
cache's size, listing and eviction count every chunk."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Generator
from pathlib import Path

import numpy as np
import pytest
import torch

from tltui.base.cachedir import entries, evict
from tltui.base.progress import Progress, drain
from tltui.core.advcache import AdvCache, AdvWriter
from tltui.core.advchunks import MANIFEST, ChunkWriter, open_chunked
from tltui.core.attacks.engine import AttackConfig
from tltui.core.images import Images

ROW = 1 * 2 * 2 * 4  # bytes of one 1×2×2 float32 image
CHUNK = 3 * ROW  # three images a chunk
CFG = AttackConfig(eps=1.0, alpha=0.1, steps=1)


def _writes(x: torch.Tensor, batch: int, calls: list[int]):  # type: ignore[no-untyped-def]
    def compute(writer) -> Generator[Progress, None, None]:  # type: ignore[no-untyped-def]
        calls.append(1)
        for i in range(0, len(x), batch):
            writer.write(x[i : i + batch])
            yield Progress("attack", i, len(x))

    return compute


@pytest.mark.parametrize(("n", "batch"), [(3, 2), (4, 2), (6, 4), (7, 3), (8, 5)])
def test_a_set_reads_back_exactly_across_chunk_boundaries(tmp_path: Path, n: int, batch: int) -> None:
    cache = AdvCache(tmp_path, cap=2**30, chunk_bytes=CHUNK)
    x = torch.rand(n, 1, 2, 2)
    calls: list[int] = []
    got = drain(cache.get_or_write("k", _writes(x, batch, calls), Images.of(x), CFG))
    chunked = n > 3
    assert (tmp_path / "k.chunks").is_dir() == chunked and (tmp_path / "k.npy").is_file() == (not chunked)
    again = drain(cache.get_or_write("k", _writes(x, batch, calls), Images.of(x), CFG))
    assert calls == [1]  # the second request reads the cache
    for imgs in (got, again):
        assert torch.equal(imgs.full(), x)
        assert torch.equal(imgs[1 : n - 1], x[1 : n - 1]) and torch.equal(imgs[::2], x[::2])
        order = np.array([n - 1, 0, 3 % n, 2, n // 2])
        assert torch.equal(imgs[order].full(), x[torch.from_numpy(order)])
    if chunked:
        meta = json.loads((tmp_path / "k.chunks" / MANIFEST).read_text())
        assert meta["chunk_rows"] == 3 and len(meta["chunks"]) == -(-n // 3)
        assert [e.chunks for e in entries(tmp_path.parent, tmp_path.name)] == [len(meta["chunks"])]


def test_shards_landing_out_of_order_across_chunks_make_the_set(tmp_path: Path) -> None:
    cache = AdvCache(tmp_path, cap=2**30, chunk_bytes=CHUNK)
    x = torch.rand(8, 1, 2, 2)
    writer = cache.open("k", tuple(x.shape))
    assert isinstance(writer, ChunkWriter)
    for lo, hi in ((5, 8), (0, 2), (2, 5)):
        writer.write_at(lo, x[lo:hi].numpy())
    with pytest.raises(ValueError, match="do not fit"):
        writer.write_at(4, x[4:6].numpy())  # rows already written
    cache.hand("k", writer)
    assert torch.equal(drain(cache.get_or_write("k", _writes(x, 8, []), Images.of(x), CFG)).full(), x)
    assert torch.equal(open_chunked(tmp_path / "k.chunks", "k").full(), x)


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_a_killed_attack_leaves_nothing_trusted_and_the_next_run_sweeps_it(tmp_path: Path) -> None:
    x = torch.rand(7, 1, 2, 2)
    writer = ChunkWriter(tmp_path, "k", tuple(x.shape), CHUNK)
    writer.write(x[:5])  # killed two chunks in: no manifest, and no directory under the set's name
    assert writer.tmp is not None and not (writer.tmp / MANIFEST).exists()
    stale = writer.tmp.with_name(writer.tmp.name.replace(f"-{os.getpid()}-", f"-{_dead_pid()}-"))
    writer.close()
    os.rename(writer.tmp, stale)
    assert [p.name for p in tmp_path.iterdir()] == [stale.name] and not entries(
        tmp_path.parent, tmp_path.name
    )
    cache = AdvCache(tmp_path, cap=2**30, chunk_bytes=CHUNK)  # the next run
    assert not stale.exists() and not cache.has("k")
    half = cache.open("h", tuple(x.shape))
    half.write_at(0, x[:4].numpy())
    with pytest.raises(ValueError, match="4 of 7"):
        cache.hand("h", half)
    half.discard()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage", ["manifest", "chunk", "crc", "truncated"])
def test_a_damaged_chunked_set_is_removed_and_recomputed(tmp_path: Path, damage: str) -> None:
    cache = AdvCache(tmp_path, cap=2**30, chunk_bytes=CHUNK)
    x = torch.rand(7, 1, 2, 2)
    calls: list[int] = []
    drain(cache.get_or_write("k", _writes(x, 4, calls), Images.of(x), CFG))
    d = tmp_path / "k.chunks"
    chunk = d / "00001.npy"
    if damage == "manifest":
        (d / MANIFEST).unlink()
    elif damage == "chunk":
        chunk.unlink()
    elif damage == "crc":
        raw = bytearray(chunk.read_bytes())
        raw[-1] ^= 1  # one bit of one pixel: still in range, only the checksum sees it
        chunk.write_bytes(bytes(raw))
    else:
        chunk.write_bytes(chunk.read_bytes()[:-4])
    got = drain(cache.get_or_write("k", _writes(x, 4, calls), Images.of(x), CFG))
    assert calls == [1, 1] and torch.equal(got.full(), x)
    assert torch.equal(open_chunked(d, "k").full(), x)  # the recomputed set replaced the damaged one


def test_the_cap_counts_chunks_and_evicts_a_chunked_set_whole(tmp_path: Path) -> None:
    root = tmp_path / "adv"
    x = torch.rand(7, 1, 2, 2)
    small = torch.rand(2, 1, 2, 2)
    big = AdvCache(root, cap=2**30, chunk_bytes=CHUNK)
    drain(big.get_or_write("big", _writes(x, 7, []), Images.of(x), CFG))
    os.utime(root / "big.chunks" / MANIFEST, (1_000, 1_000))
    for f in (root / "big.chunks").iterdir():
        os.utime(f, (1_000, 1_000))
    (found,) = entries(tmp_path, "adv")
    assert found.chunks == 3 and found.bytes == sum(f.stat().st_size for f in (root / "big.chunks").iterdir())
    capped = AdvCache(root, cap=found.bytes, chunk_bytes=CHUNK)
    drain(capped.get_or_write("small", _writes(small, 2, []), Images.of(small), CFG))
    assert sorted(p.name for p in root.iterdir()) == ["small.npy"]  # the least recently used set went whole
    one = capped.open("s2", (2, 1, 2, 2))
    assert isinstance(one, AdvWriter)  # a set of one chunk or less stays one file, as before chunks
    one.discard()
    assert [e.name for e in evict(tmp_path, "adv", 0)] == ["small.npy"] and list(root.iterdir()) == []
