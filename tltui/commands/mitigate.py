"""`tltui mitigate STUDY --method M --out DIR`: produce a mitigated variant (ReMoS or a baseline) and diagnose it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tltui.base.catalogue import MITIGATIONS
from tltui.commands.flags import (
    add_attack_flags,
    add_common,
    add_job_flags,
    add_param_flags,
    add_run_flags,
    given,
)


def add_parser(sub: Any, *, name: str = "mitigate", entries: Any = None, what: str = "mitigated") -> None:
    p = sub.add_parser(name, help=f"produce a {what} variant and diagnose it with the others")
    p.add_argument("study", help="path to a study TOML, or `demo`")
    p.add_argument("--out", required=True, help="output directory (summary.json with every variant)")
    p.add_argument("--name", default=None, help="name of the new variant (default: the method)")
    add_run_flags(p)
    add_attack_flags(p)
    add_param_flags(p, entries if entries is not None else MITIGATIONS)
    add_job_flags(p)
    add_common(p)


def run(args: argparse.Namespace, *, entries: Any = None, kind: str = "mitigate") -> int:
    from tltui.base.study import load_study
    from tltui.commands import common

    entries = entries if entries is not None else MITIGATIONS
    study = load_study(args.study)
    entry = entries[args.method]
    params = common.method_job_params(entry, given(args, entries), args, study, common.study_ref(args.study))
    variant = params["name"]
    return common.run_and_report(kind, params, args, Path(params["out"]), study=study.name, variant=variant)
