"""The README's seed tables: for each method run with `--seeds N`, mean ± SD of AOI, AAI and DIR beside its matched
baselines, the paired difference with its interval and verdict; optionally DIR under a second teacher
attack (an `analyze --teacher-preset …` run of the same workspace).

`.venv/bin/python scripts/seed_table.py RUN [RUN …] [--preset-suffix -remos]`: RUN is a `mitigate`/`treat` output
directory; `RUN<suffix>` (if it exists) is the preset analysis of the same workspace.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tltui.base.rundir import SUMMARY, read_summary
from tltui.base.rundir.metrics import AAI, AOI, DIR, EOD, SPD
from tltui.base.seedstats import seed_block
from tltui.base.verdict import MORE_SEEDS
from tltui.base.verdict import verdict as judge


def pm(s: Mapping[str, Any]) -> str:
    if s.get("mean") is None:
        return "—"
    return f"{s['mean']:.3f} ± {s['sd']:.3f}" if s.get("sd") is not None else f"{s['mean']:.3f}"


def verdict(m: Mapping[str, Any]) -> str:
    """Δ with its interval and verdict: the group interval over seeds and images where the run recorded one,
    else the seed-only t interval (docs/intervals.md)."""
    g, d = m.get("group"), m["delta"]
    if g is not None:
        return f"{g['value']:+.3f} [{g['lo']:+.3f}, {g['hi']:+.3f}] {g['verdict']}"
    if d.get("mean") is None:
        return "—"
    if d.get("ci95") is None:
        return f"{d['mean']:+.3f} {MORE_SEEDS}"
    lo, hi = d["ci95"]
    return f"{d['mean']:+.3f} [{lo:+.3f}, {hi:+.3f}] {judge(d['n'], d['sd'], lo, hi)}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Markdown seed tables from `--seeds` runs.")
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--preset-suffix", default="-remos")
    ap.add_argument("--fairness", action="store_true", help="also SPD and EOD (one-vs-rest on the demo)")
    args = ap.parse_args(argv)
    head = "| method (n seeds) | vs | AOI | AAI | DIR | Δ DIR vs matched baseline (95 % interval, verdict) | DIR, remos preset | Δ (remos preset) |"
    if args.fairness:
        head += " SPD | EOD |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for run in args.runs:
        block = read_summary(run / SUMMARY).seeds
        if block is None:
            raise SystemExit(f"{run}: not a `--seeds` run (its {SUMMARY} has no seeds block)")
        m = block["metrics"]
        preset = Path(str(run) + args.preset_suffix) / SUMMARY
        p_dir, p_delta = "—", "—"
        if preset.is_file():
            pairs = [(p["seed"], p["variant"], p["baseline"]) for p in block["pairs"]]
            pm_block = seed_block(block["method"], block["baseline"], pairs, read_summary(preset).variants)
            p_dir, p_delta = (
                pm(pm_block["metrics"][DIR.key]["method"]),
                verdict(pm_block["metrics"][DIR.key]),
            )
        base = block["baseline"] or "—"
        row = [
            f"{block['method']} ({len(block['seeds'])})",
            str(base),
            f"{pm(m[AOI.key]['method'])} (vs {pm(m[AOI.key]['baseline'])})",
            pm(m[AAI.key]["method"]),
            f"{pm(m[DIR.key]['method'])} (vs {pm(m[DIR.key]['baseline'])})",
            verdict(m[DIR.key]),
            p_dir,
            p_delta,
        ]
        if args.fairness:
            row += [
                f"{pm(m[g.key]['method'])} (vs {pm(m[g.key]['baseline'])})" if g.key in m else "—"
                for g in (SPD, EOD)
            ]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
