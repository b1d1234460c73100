"""`tltui localise STUDY --variant V --out DIR`: layer interventions on a variant, run as a job with a progress bar."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tltui.commands.flags import add_attack_flags, add_common, add_job_flags


def add_parser(sub: Any) -> None:
    from tltui.base.catalogue import JOBS

    p = sub.add_parser("localise", help="layer interventions: which layers carry the inherited weakness")
    p.add_argument("study", help="path to a study TOML, or `demo`")
    p.add_argument(
        "--out", required=True, help="output directory (interventions.json; may be an analysis run's)"
    )
    for spec in JOBS["localise"].specs():
        p.add_argument(
            spec.flag, dest=spec.name, default=None, metavar=spec.kind.upper(), help=spec.describe()
        )
    p.add_argument(
        "--batch-size", dest="batch_size", default=None, metavar="INT", help="evaluation batch size"
    )
    add_attack_flags(p)
    add_job_flags(p)
    add_common(p)


def run(args: argparse.Namespace) -> int:
    from tltui.base import rundir
    from tltui.base.catalogue import JOBS
    from tltui.base.names import shown
    from tltui.base.rundir.interventions import read_interventions
    from tltui.base.study import load_study
    from tltui.commands import common
    from tltui.commands.localise_table import print_interventions

    entry = JOBS["localise"]
    study = load_study(args.study)
    study.check_trust(args.trust_code)
    given = {s.name: getattr(args, s.name) for s in entry.specs() if getattr(args, s.name) is not None}
    values = common.checked_job_params(entry, given, args, study)
    values.pop("method", None)
    out = common.writable_out(args.out)
    params = {"study": common.study_ref(args.study), "out": str(out), **values, "trust": args.trust_code}
    variant = str(values.get("variant", "finetune"))
    if common.run_job("localise", params, args, study=study.name, variant=variant) is None:
        return 0
    path = out / rundir.INTERVENTIONS
    print_interventions(read_interventions(path), sys.stdout)
    print(f"wrote {shown(path)}")
    return 0
