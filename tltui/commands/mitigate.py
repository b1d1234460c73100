"""`tltui mitigate STUDY --method M --out DIR`: produce a mitigated variant (ReMoS or a baseline) and diagnose it."""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path
from typing import Any

from tltui.base import stack
from tltui.base.catalogue import MITIGATIONS
from tltui.base.names import shown
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
    chain = p.add_argument_group("stacked methods (docs/mitigation.md#stacked-mitigations)")
    chain.add_argument(
        "--then",
        action="append",
        metavar="METHOD",
        help="then run METHOD (a mitigation or a treatment) from this method's variant, seed by seed; repeat "
        "for a longer chain",
    )
    chain.add_argument(
        "--param",
        action="append",
        metavar="STAGE.NAME=VALUE",
        help="a parameter of a later stage: 2.channel_alpha=5 sets the first --then's channel_alpha (the plain "
        "flags are the first stage's)",
    )
    add_job_flags(p)
    add_common(p)


def run(args: argparse.Namespace, *, entries: Any = None, kind: str = "mitigate") -> int:
    from tltui.base.study import load_study
    from tltui.commands import common

    entries = entries if entries is not None else MITIGATIONS
    study = load_study(args.study)
    entry = entries[args.method]
    raw = {**given(args, entries), **chain_given(args)}
    params = common.method_job_params(entry, raw, args, study, common.study_ref(args.study))
    variant = params["name"]
    code = common.run_and_report(kind, params, args, Path(params["out"]), study=study.name, variant=variant)
    if params.get(stack.THEN) and not args.detach:
        print_chain(Path(params["out"]), chain_groups(entry.name, params, args.name))
    return code


def chain_given(args: argparse.Namespace) -> dict[str, Any]:
    """`--then` and the stage-keyed `--param` values (tltui.base.stack), as raw job parameters."""
    if not getattr(args, "then", None) and not getattr(args, "param", None):
        return {}
    return {stack.THEN: list(args.then or []), **stack.assignments(args.param or [])}


def chain_groups(first: str, params: dict[str, Any], name: str | None) -> list[str]:
    """The seed groups a chain's job made: each stage's, then each later stage over the stage before."""
    methods = [first, *(str(s["method"]) for s in params[stack.THEN])]
    groups = [stack.chain_name(methods[:k]) for k in range(1, len(methods) + 1)]
    if name:
        groups[-1] = name
    return [*groups, *(f"{g} over {before}" for before, g in itertools.pairwise(groups))]


def print_chain(out: Path, groups: list[str]) -> None:
    """The chain's verdicts (tltui.base.verdicts): each stage against its matched baselines and the stage before."""
    from tltui.base.verdicts import board, load_source

    found = {c.method: c for c in board([load_source(out)]).comparisons}
    for g in groups:
        if g in found:
            print(f"verdict: {shown(found[g].line())}")
