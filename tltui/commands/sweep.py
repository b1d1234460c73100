"""`tltui sweep STUDY --method M --param lr=0.005,0.01 --seeds N`: the method and its matched baseline at each value
of a recipe parameter, as one job and one run directory, with the verdict across the sweep (docs/sweeps.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tltui.base.catalogue import MITIGATIONS, TREATMENTS
from tltui.commands.flags import (
    add_attack_flags,
    add_common,
    add_job_flags,
    add_param_flags,
    add_run_flags,
    given,
)

ENTRIES = {
    **{k: v for k, v in MITIGATIONS.items() if k != "finetune"},
    "model-doctor": TREATMENTS["model-doctor"],
}
"""The methods a sweep compares with a matched baseline that trains with the same recipe."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sweep", help="a method against its matched baseline at each value of lr (or epochs)")
    p.add_argument("study", help="path to a study TOML, or `demo`")
    p.add_argument(
        "--param",
        action="append",
        required=True,
        metavar="NAME=V1,V2,…",
        help="a recipe parameter and its values (lr, epochs); both sides of every pair train with each value; "
        "give --param twice for a grid",
    )
    p.add_argument("--out", default=None, help="output directory (default: sweep-<method>)")
    p.add_argument("--name", default=None, help="the method's group name, before each value's tag")
    add_run_flags(p)
    add_attack_flags(p)
    add_param_flags(p, ENTRIES)
    add_job_flags(p)
    add_common(p)
    p.set_defaults(seeds=None)


def run(args: argparse.Namespace) -> int:
    from tltui.base.errors import ParamError
    from tltui.base.study import load_study
    from tltui.base.sweep import grid_points, parse_param
    from tltui.commands import common

    grid: dict[str, list[float]] = {}
    for text in args.param:
        name, values = parse_param(text)
        if name in grid:
            raise ParamError(f"--param {name} is given twice: give its values in one list")
        grid[name] = values
    study = load_study(args.study)
    entry = ENTRIES[args.method]
    args.out = args.out or f"sweep-{entry.name}"
    mine = given(args, ENTRIES)
    mine.setdefault("seeds", "3")
    params = common.method_job_params(entry, mine, args, study, common.study_ref(args.study))
    if int(params.get("seeds") or 1) < 2 or params.get("tune_baseline"):
        raise ParamError(
            "sweep: give --seeds 2 or more (a paired difference needs seeds), without --tune-baseline"
        )
    params.update(family="treatment" if entry.name in TREATMENTS else "mitigation", sweep=grid)
    out = Path(params["out"])
    print(
        f"sweep: {entry.name} and its baseline at {len(grid_points(grid))} values × {params['seeds']} seeds"
    )
    code = common.run_and_report("sweep", params, args, out, study=study.name, variant=entry.name)
    from tltui.base import rundir

    record = rundir.read_summary(out / rundir.SUMMARY).sweep if (out / rundir.SUMMARY).is_file() else None
    if record is not None:
        print(record["line"])
    return code
