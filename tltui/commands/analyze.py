"""`tltui analyze STUDY --out DIR`: the headless full diagnosis, run as a job with a progress bar."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tltui.base.study import load_study
from tltui.cli import add_common
from tltui.commands import common


def add_parser(sub: Any) -> None:
    p = sub.add_parser("analyze", help="headless full diagnosis; writes DIR/summary.json")
    p.add_argument("study", help="path to a study TOML, or `demo`")
    p.add_argument("--out", required=True, help="output directory (summary.json and the run's artifacts)")
    p.add_argument("--batch-size", type=int, default=512)
    p.add_argument(
        "--compile", action="store_true", help="torch.compile the attacked models (CUDA, large sets)"
    )
    common.add_job_flags(p)
    add_common(p)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)  # validate before anything starts: a bad study fails fast, in one line
    out = Path(args.out).expanduser().resolve()
    params = {
        "study": study_ref(args.study),
        "out": str(out),
        "batch_size": args.batch_size,
        "trust": args.trust_checkpoints,
        "compile": args.compile,
    }
    return common.run_and_report("analyze", params, args, out, study=study.name)


def study_ref(ref: str) -> str:
    return ref if ref == "demo" else str(Path(ref).expanduser().resolve())


def print_summary(summary: dict[str, Any], stream: Any = sys.stdout) -> None:
    """A readable metric table, one row per variant."""
    cols = ["aoi", "aai", "dr", "robust", "macro_f1", "macro_recall", "dir"]
    rows = [["variant", *[c.upper() if len(c) <= 3 else c for c in cols]]]
    for name, v in summary["variants"].items():
        rows.append([name, *["—" if v.get(c) is None else f"{v[c]:.3f}" for c in cols]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    a = summary["attack"]
    print(
        f"study {summary['study']} · device {summary['device']} · {summary['n_test']} test images · "
        f"{a['name']} ε={a['eps']:.4g} α={a['alpha']:.4g} steps={a['steps']}",
        file=stream,
    )
    for i, r in enumerate(rows):
        print(
            "  ".join(
                c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths, strict=True))
            ),
            file=stream,
        )
        if i == 0:
            print("  ".join("-" * w for w in widths), file=stream)
    src = summary.get("teacher", {}).get("source_acc")
    if src is not None:
        print(f"teacher source accuracy {src:.3f}", file=stream)
