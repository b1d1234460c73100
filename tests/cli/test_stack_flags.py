"""`--then` and `--param STAGE.NAME=VALUE` as the raw values of one parameter language, and the groups whose
verdicts a stacked job prints (docs/mitigation.md#stacked-mitigations); in process, no job."""

from __future__ import annotations

from tltui.base import stack
from tltui.base.catalogue import MITIGATIONS
from tltui.base.jobparams import job_params
from tltui.base.study import demo_study
from tltui.cli import build_parser
from tltui.commands.flags import given
from tltui.commands.mitigate import chain_given, chain_groups


def test_the_flags_route_each_value_to_its_stage() -> None:
    argv = ["mitigate", "demo", "--method", "remos", "--ratio", "0.05", "--then", "model-doctor", "--then",
            "finetune", "--param", "2.channel-alpha=5", "--param", "3.lr=0.01", "--out", "x"]  # fmt: skip
    args = build_parser("mitigate").parse_args(argv)
    raw = {**given(args, MITIGATIONS), **chain_given(args)}
    assert raw == {
        "ratio": "0.05",
        "then": ["model-doctor", "finetune"],
        "2.channel_alpha": "5",
        "3.lr": "0.01",
    }
    params = job_params(MITIGATIONS["remos"], raw, demo_study())
    assert [(s["method"], s.get("channel_alpha"), s.get("lr")) for s in params[stack.THEN]] == [
        ("model-doctor", 5.0, None),
        ("finetune", None, 0.01),
    ]
    assert chain_groups("remos", params, None) == [
        "remos",
        "remos+model-doctor",
        "remos+model-doctor+finetune",
        "remos+model-doctor over remos",
        "remos+model-doctor+finetune over remos+model-doctor",
    ]
    assert chain_groups("remos", params, "mine")[2] == "mine"  # --name: the last stage's group
    plain = build_parser("mitigate").parse_args(["mitigate", "demo", "--method", "remos", "--out", "x"])
    assert chain_given(plain) == {}
