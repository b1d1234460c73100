"""`tltui cache`: the workspace's caches (adversarial sets, decoded images): list, size, prune."""

from __future__ import annotations

import argparse
import time
from typing import Any

from tltui.base.cachedir import KINDS, cap_bytes, entries, evict, sweep_temporary
from tltui.base.errors import ParamError
from tltui.base.workspace import resolve_workspace
from tltui.commands.flags import add_common


def add_parser(sub: Any) -> None:
    p = sub.add_parser("cache", help="the workspace's caches: list, size, prune")
    p.add_argument("action", choices=["list", "size", "prune"])
    p.add_argument("--kind", choices=sorted(KINDS), default=None, help="one cache only (default: both)")
    p.add_argument(
        "--max-gib",
        type=float,
        default=None,
        help="prune: evict the least recently used entries down to this size (default: the workspace's cap, "
        "[cache] max_gib in <workspace>/settings.toml, for the adversarial sets)",
    )
    p.add_argument("--all", action="store_true", help="prune: remove every entry")
    add_common(p)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def _ago(t: float) -> str:
    s = max(time.time() - t, 0)
    return f"{s:.0f} s ago" if s < 120 else f"{s / 60:.0f} min ago" if s < 7200 else f"{s / 3600:.1f} h ago"


def run(args: argparse.Namespace) -> int:
    ws = resolve_workspace(args.workspace)
    kinds = [args.kind] if args.kind else list(KINDS)
    if args.max_gib is not None and args.max_gib < 0:
        raise ParamError(f"--max-gib {args.max_gib}: must be ≥ 0")
    if args.action == "list":
        for kind in kinds:
            for e in entries(ws, kind):
                parts = f"  ({e.chunks} chunks)" if e.directory is not None else ""
                print(f"{kind:<5} {e.name:<40} {_mib(e.bytes):>14}  used {_ago(e.used)}{parts}")
        return 0
    if args.action == "size":
        cap = cap_bytes(ws)
        for kind in kinds:
            found = entries(ws, kind)
            total = sum(e.bytes for e in found)
            note = f" (cap {_mib(cap)})" if kind == "adv" else ""
            print(f"{kind:<5} {KINDS[kind]:<24} {len(found):>6} entries {_mib(total):>14}{note}")
        return 0
    swept = sweep_temporary(ws)
    removed = []
    for kind in kinds:
        if args.all:
            limit = 0
        elif args.max_gib is not None:
            limit = int(args.max_gib * 2**30)
        elif kind == "adv":
            limit = cap_bytes(ws)
        else:
            continue  # decoded images have no cap: pruned only when asked
        removed += evict(ws, kind, limit)
    freed = sum(e.bytes for e in removed)
    print(
        f"removed {len(removed)} entries ({_mib(freed)}) and {len(swept)} temporary files of stopped writers"
    )
    return 0
