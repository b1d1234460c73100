"""`tltui analyze STUDY --out DIR`: the headless full diagnosis, run as a job with a progress bar."""

from __future__ import annotations

import argparse
from typing import Any

from tltui.commands.flags import add_attack_flags, add_common, add_job_flags, add_run_flags


def add_parser(sub: Any) -> None:
    p = sub.add_parser("analyze", help="headless full diagnosis; writes DIR/summary.json")
    p.add_argument("study", help="path to a study TOML, or `demo`")
    p.add_argument("--out", required=True, help="output directory (summary.json and the run's artifacts)")
    add_run_flags(p)
    add_attack_flags(p)
    p.add_argument(
        "--compile", action="store_true", help="torch.compile the attacked models (CUDA, large sets)"
    )
    add_job_flags(p)
    add_common(p)


def run(args: argparse.Namespace) -> int:
    from tltui.base.catalogue import JOBS
    from tltui.base.study import load_study
    from tltui.commands import common

    study = load_study(args.study)  # validate before anything starts: a bad study fails fast, in one line
    study.check_trust(args.trust_code)
    values = common.checked_job_params(JOBS["analyze"], {}, args, study)
    out = common.writable_out(args.out)
    params = {"study": common.study_ref(args.study), "out": str(out), **values, "trust": args.trust_code}
    return common.run_and_report("analyze", params, args, out, study=study.name)
