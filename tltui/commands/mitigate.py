"""`tltui mitigate STUDY --method M --out DIR`: produce a mitigated variant (ReMoS or a baseline) and diagnose it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tltui.base.study import load_study
from tltui.cli import add_common
from tltui.commands import common
from tltui.commands.analyze import study_ref

METHOD_NAMES = ("remos", "finetune", "retrain", "magprune", "delta", "renofeation")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("mitigate", help="produce a mitigated variant and diagnose it with the others")
    p.add_argument("study", help="path to a study TOML, or `demo`")
    p.add_argument("--method", required=True, choices=METHOD_NAMES)
    p.add_argument("--out", required=True, help="output directory (summary.json with every variant)")
    p.add_argument("--name", default=None, help="name of the new variant (default: the method)")
    p.add_argument(
        "--ratio", type=float, default=None, help="fraction of conv weights to cut (remos, magprune)"
    )
    p.add_argument("--threshold", type=float, default=None, help="coverage threshold (remos; default 0.5)")
    p.add_argument("--criterion", choices=("neuron", "topk"), default=None, help="coverage criterion (remos)")
    p.add_argument("--topk", type=int, default=None, help="k of top-k coverage (remos)")
    p.add_argument("--scope", default=None, help="comma-separated conv layers that may be cut (default: all)")
    p.add_argument("--epochs", type=int, default=None, help="fine-tune epochs (default: the recipe's)")
    p.add_argument("--lr", type=float, default=None, help="body learning rate (default: the recipe's)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=512)
    common.add_job_flags(p)
    add_common(p)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    out = Path(args.out).expanduser().resolve()
    params = {
        "study": study_ref(args.study),
        "method": args.method,
        "out": str(out),
        "name": args.name,
        "ratio": args.ratio,
        "threshold": args.threshold,
        "criterion": args.criterion,
        "topk": args.topk,
        "scope": args.scope.split(",") if args.scope else None,
        "epochs": args.epochs,
        "lr": args.lr,
        "seed": args.seed,
        "batch_size": args.batch_size,
        "trust": args.trust_checkpoints,
    }
    return common.run_and_report(
        "mitigate", params, args, out, study=study.name, variant=args.name or args.method
    )
