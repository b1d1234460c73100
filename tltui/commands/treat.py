"""`tltui treat STUDY --method model-doctor|dare|fmt --out DIR`: produce a treated variant and diagnose it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tltui.base.study import load_study
from tltui.cli import add_common
from tltui.commands import common
from tltui.commands.analyze import study_ref

TREATMENT_NAMES = ("model-doctor", "dare", "fmt")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "treat", help="treat a variant (Model Doctor, Dare, FMT) and diagnose it with the others"
    )
    p.add_argument("study", help="path to a study TOML, or `demo`")
    p.add_argument("--method", required=True, choices=TREATMENT_NAMES)
    p.add_argument("--out", required=True, help="output directory (summary.json with every variant)")
    p.add_argument("--variant", default=None, help="the variant to treat (default: finetune)")
    p.add_argument("--name", default=None, help="name of the new variant (default: the method)")
    p.add_argument("--layer", default=None, help="layer to diagnose/regress (default: the method's choice)")
    p.add_argument("--alpha", type=float, default=None, help="Model Doctor loss weight (default 10)")
    p.add_argument("--theta", type=float, default=None, help="Model Doctor mask threshold (default 0.2)")
    p.add_argument(
        "--slice-ratio", type=float, default=None, help="Dare: weights cut per neuron (default 0.05)"
    )
    p.add_argument(
        "--sensitive-ratio", type=float, default=None, help="FMT: share of sensitive neurons (0.25)"
    )
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument(
        "--train-batch-size",
        type=int,
        default=None,
        help="batch size of the treatment's training (default 64)",
    )
    p.add_argument("--batch-size", type=int, default=512, help="evaluation and attack batch size")
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
        "variant": args.variant,
        "layer": args.layer,
        "alpha": args.alpha,
        "theta": args.theta,
        "slice_ratio": args.slice_ratio,
        "sensitive_ratio": args.sensitive_ratio,
        "epochs": args.epochs,
        "lr": args.lr,
        "seed": args.seed,
        "train_batch_size": args.train_batch_size,
        "batch_size": args.batch_size,
        "trust": args.trust_checkpoints,
    }
    return common.run_and_report(
        "treat", params, args, out, study=study.name, variant=args.name or args.method
    )
