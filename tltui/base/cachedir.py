"""The workspace's caches on disk (adversarial sets in `adv/`, decoded images in `data/`): their entries (a file,
or a directory of chunks), sizes and last use, the size cap of `<workspace>/settings.toml`, and
least-recently-used eviction (`tltui cache`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tltui.base import tempfiles
from tltui.base.errors import TltuiError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KINDS = {"adv": "adversarial sets", "data": "decoded images (uint8)"}
SETTINGS = "settings.toml"
DEFAULT_CAP_GIB = 20.0
"""The adversarial sets' cap when the workspace sets none: a 224-px set of 10 000 images takes 5.6 GiB."""


class CacheError(TltuiError):
    title = "Invalid cache setting"


@dataclass(frozen=True)
class Entry:
    """One cached item: its files (an entry and its checksum count as one; a chunked set's chunks and manifest
    too, `chunks` of them chunks), bytes, and last use (epoch s)."""

    kind: str
    name: str
    paths: tuple[Path, ...]
    bytes: int
    used: float
    chunks: int = 0
    directory: Path | None = None
    """A chunked set's directory; None for a one-file entry."""


def entries(workspace: Path, kind: str) -> list[Entry]:
    """The entries of one cache, least recently used first; temporary files and directories of live writers are
    left out."""
    d = workspace / kind
    groups: dict[str, list[Path]] = {}
    try:
        found = sorted(d.iterdir())
    except OSError:
        return []
    chunked: dict[str, list[Path]] = {}
    for p in found:
        if p.name.startswith("."):
            continue
        if p.is_dir():
            with contextlib.suppress(OSError):
                chunked[p.name] = sorted(f for f in p.iterdir() if f.is_file())
        elif p.is_file():
            groups.setdefault(p.name.removesuffix(".crc32"), []).append(p)
    out = []
    for stem, paths in [*groups.items(), *chunked.items()]:
        try:
            stats = [p.stat() for p in paths]
        except OSError:  # removed while listed (another job's eviction)
            continue
        if not stats:
            continue
        sub = d / stem if stem in chunked else None
        n = sum(p.suffix == ".npy" for p in paths) if sub else 0
        used = max(s.st_mtime for s in stats)
        out.append(Entry(kind, stem, tuple(paths), sum(s.st_size for s in stats), used, n, sub))
    return sorted(out, key=lambda e: (e.used, e.name))


def touch(path: Path) -> None:
    """Mark an entry used now (its modification time is the LRU clock; reads never change it otherwise)."""
    with contextlib.suppress(OSError):
        os.utime(path, (time.time(), time.time()))


def cap_bytes(workspace: Path) -> int:
    """The adversarial sets' size cap: `[cache] max_gib` in `<workspace>/settings.toml`, else DEFAULT_CAP_GIB."""
    path = workspace / SETTINGS
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return int(DEFAULT_CAP_GIB * 2**30)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CacheError(f"{path}: cannot read it ({type(exc).__name__}); fix or remove it") from None
    value = raw.get("cache", {}).get("max_gib", DEFAULT_CAP_GIB)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise CacheError(f"{path}: [cache] max_gib must be a number ≥ 0 (GiB), got {value!r}")
    return int(value * 2**30)


def evict(workspace: Path, kind: str, cap: int, keep: frozenset[str] = frozenset()) -> list[Entry]:
    """Remove the least recently used entries of `kind` until the rest fit in `cap` bytes (`keep` stays, even
    over the cap: the set a job has just written); the entries removed. A reader holding a removed file open
    keeps reading it (POSIX), so eviction never breaks a running job."""
    found = entries(workspace, kind)
    total = sum(e.bytes for e in found)
    gone = []
    for e in found:
        if total <= cap:
            break
        if e.name in keep:
            continue
        for p in e.paths:
            with contextlib.suppress(OSError):
                p.unlink()
        if e.directory is not None:
            shutil.rmtree(e.directory, ignore_errors=True)
        total -= e.bytes
        gone.append(e)
    return gone


def sweep_temporary(workspace: Path) -> list[Path]:
    """The temporary files of killed writers in every cache, removed."""
    return [p for kind in KINDS for p in tempfiles.sweep(workspace / kind)]
