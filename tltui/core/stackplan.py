"""What a chain of methods trains (docs/mitigation.md#stacked-mitigations): per seed, the first stage's run beside
its matched baseline, then each later stage starting from the stage before at the same seed; and its provenance."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from tltui.base import stack
from tltui.base.catalogue import Entry, TreatParams
from tltui.base.catalogue.mitigation import MitigateParams
from tltui.base.catalogue.params import as_json
from tltui.base.errors import ParamError
from tltui.core.pairing import Planned


def later_stages(params: Mapping[str, Any]) -> list[tuple[Entry, Any]]:
    """Each later stage of the job's chain (its `then`): the entry and its validated parameters."""
    out: list[tuple[Entry, Any]] = []
    previous = str(params.get("method"))
    for values in params.get(stack.THEN) or []:
        name = values.get("method") if isinstance(values, dict) else values
        _family, entry = stack.stage_entry(name, previous)
        own = {s.name for s in entry.specs()} - stack.CARRIED
        settings = entry.build({k: v for k, v in dict(values).items() if k in own})
        if not isinstance(settings, (MitigateParams, TreatParams)):
            raise ParamError(
                f"--then {name}: its parameters do not say what it starts from; it can only come first"
            )
        out.append((entry, settings))
        previous = str(name)
    return out


def refuse_unchained(params: Mapping[str, Any], settings: Any, points: int) -> None:
    """What a chain does not run with (tltui.base.stack.refuse_with_chain), and no sweep."""
    stack.refuse_with_chain({"tune_baseline": getattr(settings, "tune_baseline", False), "timeline": points})
    if params.get("sweep"):
        raise ParamError("sweep: a chain's recipe is each stage's own; sweep one method, not a chain")


def plan_chain(
    first: Sequence[Planned], entry: Entry, later: Sequence[tuple[Entry, Any]], given: str | None
) -> list[Planned]:
    """The first stage's runs, then per seed each later stage from the one before: `remos+model-doctor-s0` starts
    from `remos-s0`. `--name` names the last stage's group; the first stage is named as it would be alone."""
    methods = [entry.name, *(e.name for e, _ in later)]
    out = list(first)
    for r in (r for r in first if r.role == "method"):
        partner = next((p for p in first if (p.seed, p.group, p.role) == (r.seed, r.group, "baseline")), None)
        matched = partner.name if partner is not None else r.needs
        prev = r
        for k, (e, settings) in enumerate(later, start=2):
            group = given if given and k == len(methods) else stack.chain_name(methods[:k])
            start = {"variant": prev.name} if isinstance(settings, TreatParams) else {"source": prev.name}
            one = dataclasses.replace(settings, seed=r.seed, seeds=1, **start)
            prev = Planned(f"{group}-s{r.seed}", e, one, "method", r.seed, prev.name, group, k, matched)
            out.append(prev)
    return out


def chain_record(r: Planned, runs: Sequence[Planned], records: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A later stage's provenance, stage 1 first: each stage's method, family, the variant it made and the one it
    started from, its parameters and recipe (as recorded with that variant: made now, or reused)."""
    by_name = {p.name: p for p in runs}
    stages: list[dict[str, Any]] = []
    at: Planned | None = r
    while at is not None:
        rec = records.get(at.name) or {}
        stages.append(
            {
                "stage": at.stage,
                "kind": rec.get("kind"),
                "method": at.entry.name,
                "variant": at.name,
                "base": rec.get("base"),
                "params": rec.get("params", as_json(at.settings)),
                "recipe": rec.get("recipe"),
            }
        )
        at = by_name.get(str(at.needs)) if at.stage > 1 else None
    return stages[::-1]


def chain_fields(r: Planned, runs: Sequence[Planned], records: Mapping[str, Any]) -> dict[str, Any]:
    """What a run's `derived` record gains as a chain's later stage (`chain`, `matched`); {} for any other run.
    `records` holds this job's records so far (its own included) and those of the runs it reused."""
    if r.stage < 2:
        return {}
    return {"chain": chain_record(r, runs, records), "matched": r.matched}
