"""Stacked mitigations' parameters (docs/mitigation.md#stacked-mitigations): the plain keys are the first stage's,
`K.name` stage K's, each checked by its own method's spec; a chain that cannot run is one line, before a job."""

from __future__ import annotations

import pytest

from tltui.base import stack
from tltui.base.catalogue import MITIGATIONS, TREATMENTS
from tltui.base.errors import ParamError, TltuiError
from tltui.base.jobparams import job_params
from tltui.base.study import demo_study


def _chain(**raw: object) -> dict[str, object]:
    return job_params(MITIGATIONS["remos"], dict(raw), demo_study())


def test_each_stage_takes_its_own_keys_checked_by_its_own_spec() -> None:
    raw = {"ratio": "0.05", "epochs": "4", "then": ["model-doctor"], "2.channel_alpha": "5", "2.epochs": "2"}
    out = _chain(**raw, **stack.assignments(["2.theta=0.3"]), seeds="3", eps="0.05")
    assert out["method"] == "remos" and out["ratio"] == 0.05 and out["epochs"] == 4 and out["seeds"] == 3
    assert "channel_alpha" not in out and out["eps"] == 0.05  # the attack and run keys are the job's
    (md,) = out["then"]  # type: ignore[misc]
    assert md["method"] == "model-doctor" and md["channel_alpha"] == 5.0 and md["epochs"] == 2
    assert md["theta"] == 0.3 and "variant" not in md and "seed" not in md  # the chain sets them per seed
    # a mitigation after a mitigation, three stages, and a form box's comma-separated chain
    out = _chain(then="delta, finetune", **{"2.feature_alpha": "0.001", "3.lr": "0.01"})
    assert [s["method"] for s in out["then"]] == ["delta", "finetune"]  # type: ignore[union-attr]
    assert out["then"][0]["feature_alpha"] == 0.001 and out["then"][1]["lr"] == 0.01  # type: ignore[index]
    assert stack.assignments(["channel-alpha=5"], stage=2) == {"2.channel_alpha": "5"}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({"then": ["nope"]}, "--then 'nope': not a method that can start from a variant"),
        ({"then": ["retrain"]}, "--then retrain: it re-initialises every weight"),
        ({"then": ["renofeation"]}, "cannot start from remos's variant"),
        ({"then": ["model-doctor-scratch"]}, "run it as the first stage"),
        ({"then": ["delta", "retrain"]}, "cannot start from remos+delta's variant"),
        ({"then": ["model-doctor"], "2.ratio": "0.1"}, "--ratio does not apply to stage 2 (model-doctor)"),
        ({"then": ["model-doctor"], "3.theta": "0.1"}, "--param 3.theta: the chain has only stage 2"),
        ({"2.theta": "0.1"}, "the chain has no later stage: add --then METHOD"),
        ({"then": ["model-doctor"], "2.seed": "4"}, "give --seed and --seeds once"),
        ({"then": ["model-doctor"], "2.eps": "0.1"}, "give --eps without a stage"),
        ({"then": ["model-doctor"], "2.theta": "2"}, "theta"),
        ({"then": ["finetune"], "timeline": "5"}, "--timeline records one method's training"),
    ],
)
def test_a_chain_that_cannot_run_is_refused_in_one_line(raw: dict[str, object], says: str) -> None:
    with pytest.raises(ParamError) as err:
        _chain(**raw)
    assert isinstance(err.value, TltuiError) and says in err.value.msg and "\n" not in err.value.msg
    with pytest.raises(ParamError, match=r"write STAGE\.NAME=VALUE"):
        stack.assignments(["channel_alpha=5"])  # the command line names the stage


def test_stage_names_are_disjoint_and_say_the_chain() -> None:
    assert not set(MITIGATIONS) & set(TREATMENTS)  # a --then name finds one method
    assert stack.chain_name(["remos", "model-doctor"]) == "remos+model-doctor"
    assert stack.stage_entry("model-doctor", "remos") == ("treatment", TREATMENTS["model-doctor"])


def test_seam_may_only_come_first_because_it_masks_the_teacher() -> None:
    from tltui.base.stack import first_only, stage_entry

    assert first_only("seam") and not first_only("delta")
    with pytest.raises(ParamError, match="--then seam: it learns its weight mask over the teacher"):
        stage_entry("seam", "remos")
