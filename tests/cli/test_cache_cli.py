"""End to end: `tltui cache list / size / prune` on a workspace's caches, and the cap of its settings.toml."""

from __future__ import annotations

import os
from pathlib import Path


def _entry(path: Path, size: int, used: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * size)
    os.utime(path, (used, used))


def test_cache_list_size_prune(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    mib = 2**20
    _entry(ws / "adv" / "old.npy", 2 * mib, 1_000)
    _entry(ws / "adv" / "new.npy", 2 * mib, 3_000)
    _entry(ws / "data" / "g-k.u8", 1 * mib, 2_000)
    _entry(ws / "data" / "g-k.u8.crc32", 8, 2_500)
    for chunk in ("00000.npy", "00001.npy", "manifest.json"):  # a chunked set: one entry of all its files
        _entry(ws / "adv" / "mid.chunks" / chunk, mib // 4 if chunk.endswith(".npy") else 0, 500)
    _entry(ws / "adv" / ".old.npy.tltui-tmp-999999999-x.tmp", 10, 1_000)  # a killed writer's
    _entry(ws / "adv" / ".mid.tltui-tmp-999999999-y.tmp" / "00000.npy", 10, 1_000)  # a killed chunked one
    (ws / "settings.toml").write_text("[cache]\nmax_gib = 0.003\n")  # ~3.1 MiB: one set fits
    flags = ("--workspace", str(ws))
    listed = cli("cache", "list", *flags)
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[:2] for line in listed.stdout.splitlines()] == [
        ["adv", "mid.chunks"],
        ["adv", "old.npy"],
        ["adv", "new.npy"],
        ["data", "g-k.u8"],
    ]
    size = cli("cache", "size", *flags)
    assert "(2 chunks)" in listed.stdout.splitlines()[0]
    assert "3 entries" in size.stdout and "4.5 MiB" in size.stdout and "cap 3.1 MiB" in size.stdout
    pruned = cli("cache", "prune", *flags)
    assert pruned.returncode == 0 and "removed 2 entries (2.5 MiB) and 2 temporary" in pruned.stdout
    assert sorted(p.name for p in (ws / "adv").iterdir()) == ["new.npy"]
    assert (ws / "data" / "g-k.u8").is_file()  # decoded images are pruned only when asked
    everything = cli("cache", "prune", "--all", "--kind", "data", *flags)
    assert everything.returncode == 0 and not list((ws / "data").iterdir())
    (ws / "settings.toml").write_text("[cache]\nmax_gib = -1\n")
    bad = cli("cache", "size", *flags)
    assert bad.returncode == 2 and "[cache] max_gib must be a number ≥ 0" in bad.stderr
    assert "Traceback" not in bad.stderr
