"""Stacked mitigations (docs/mitigation.md#stacked-mitigations): a chain of methods in one job, each stage starting
from the previous stage's variant; which methods may follow, how a later stage's parameters are keyed, the names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tltui.base import catalogue
from tltui.base.catalogue import Entry
from tltui.base.catalogue.mitigation import FRESH
from tltui.base.errors import ParamError

THEN = "then"
"""The job parameter holding the later stages: a list of `{"method": …, **that stage's own values}`."""

STARTS_ANEW = frozenset({*FRESH, "model-doctor-scratch"})
"""Methods that re-initialise every weight: nothing of a previous stage would carry into them, so they may only
come first in a chain."""

TEACHER_FIRST = {"seam": "it learns its weight mask over the teacher"}
"""Methods that start from the teacher by their definition: they too may only come first, for the reason given."""

CARRIED = frozenset({"seed", "seeds", "variant", "tune_baseline", "timeline", "keep_best"})
"""What the chain sets for every stage (seed s of a stage starts from seed s of the one before); not per stage."""

_KEY = re.compile(r"(\d+)\.([A-Za-z_][A-Za-z0-9_]*)")


def families() -> dict[str, dict[str, Entry]]:
    """The families a stage may come from, in lookup order (their names are disjoint)."""
    return {"mitigation": catalogue.MITIGATIONS, "treatment": catalogue.TREATMENTS}


def stage_entry(name: object, previous: str) -> tuple[str, Entry]:
    """The family and entry of a later stage named `name` that starts from `previous`'s variant; a one-line
    ParamError for an unknown method or one that cannot start from a variant."""
    for family, entries in families().items():
        if isinstance(name, str) and name in entries:
            if name in STARTS_ANEW or name in TEACHER_FIRST:
                why = TEACHER_FIRST.get(name, "it re-initialises every weight")
                raise ParamError(
                    f"--then {name}: {why}, so it cannot start from {previous}'s variant; run it as the first "
                    "stage (--method)"
                )
            return family, entries[name]
    known = "; ".join(f"{f}s: {', '.join(n for n in e if not first_only(n))}" for f, e in families().items())
    raise ParamError(f"--then {name!r}: not a method that can start from a variant ({known})")


def first_only(name: str) -> bool:
    """Whether `name` may only be a chain's first stage."""
    return name in STARTS_ANEW or name in TEACHER_FIRST


def then_names(value: object) -> list[str]:
    """`--then` as given: a list of method names, or one comma-separated text (a form box); None: none."""
    if value is None:
        return []
    items = (
        value.split(",") if isinstance(value, str) else list(value) if isinstance(value, list) else [value]
    )
    return [str(v).strip() for v in items if str(v).strip()]


def split_stages(raw: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Take the stage-keyed values (`2.channel_alpha`: stage 2's `channel_alpha`) out of `raw`, by stage."""
    out: dict[int, dict[str, Any]] = {}
    for key in [k for k in raw if _KEY.fullmatch(k)]:
        m = _KEY.fullmatch(key)
        assert m is not None
        out.setdefault(int(m.group(1)), {})[m.group(2)] = raw.pop(key)
    return out


def assignments(items: Iterable[str], stage: int | None = None) -> dict[str, str]:
    """`--param 2.channel_alpha=5` items (or a form box's words) as stage-keyed raw values; a key without a
    stage takes `stage` (the form's single "then" stage) and is refused when `stage` is None."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not _KEY.fullmatch(key) and stage is not None and key.isidentifier():
            key = f"{stage}.{key}"
        if not sep or not _KEY.fullmatch(key):
            raise ParamError(
                f"--param {item!r}: write STAGE.NAME=VALUE, e.g. 2.channel_alpha=5 (stage 2 is the first --then)"
            )
        out[key] = value.strip()
    return out


def check_stage_keys(stages: Mapping[int, Mapping[str, Any]], n_stages: int, shared: Iterable[str]) -> None:
    """Refuse a stage key for a stage the chain lacks, for what the chain carries, or for a job-wide value."""
    whole = set(shared)
    for k, values in stages.items():
        for name in values:
            key = f"{k}.{name}"
            if not 2 <= k <= n_stages:
                have = (
                    "no later stage: add --then METHOD"
                    if n_stages < 2
                    else "only stage 2"
                    if n_stages == 2
                    else f"stages 2 to {n_stages}"
                )
                raise ParamError(f"--param {key}: the chain has {have} (stage 1 takes the plain flags)")
            if name in CARRIED:
                raise ParamError(
                    f"--param {key}: the chain sets it for every stage (seed s of a stage starts from seed s "
                    "of the one before); give --seed and --seeds once"
                )
            if name in whole:
                raise ParamError(
                    f"--param {key}: the attack and how the job runs apply to every stage; give "
                    f"--{name.replace('_', '-')} without a stage"
                )


def refuse_with_chain(values: Mapping[str, Any]) -> None:
    """What a chain does not run with: a recorded timeline is one method's training, not a chain's
    (`--tune-baseline` tunes the first stage's recipe and its matched baseline; later stages keep their own)."""
    if values.get("timeline"):
        raise ParamError("--timeline records one method's training: not with --then")


def chain_name(methods: Iterable[str]) -> str:
    """The name a chain's variants and seed group carry: `remos+model-doctor`."""
    return "+".join(methods)


def chain_of(record: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """A produced variant's stages (its `chain` record), [] for a variant made by one method."""
    chain = (record or {}).get("chain")
    return [s for s in chain if isinstance(s, dict)] if isinstance(chain, list) and len(chain) > 1 else []


def stage_lines(record: Mapping[str, Any] | None) -> list[str]:
    """One line per stage of a stacked variant: `stage 2 model-doctor (treatment) from remos-s0: channel_alpha
    10, …; recipe model-doctor sgd lr 0.003, 30 epochs` (the views' and the report's provenance)."""
    out = []
    for s in chain_of(record):
        raw = s.get("params")
        params: dict[str, Any] = raw if isinstance(raw, dict) else {}
        own = ", ".join(f"{k} {v}" for k, v in params.items() if v is not None and k not in CARRIED)
        recipe = s.get("recipe")
        how = (
            f"; recipe {recipe.get('source')} {recipe.get('optimizer')} lr {recipe.get('lr'):g}, "
            f"{recipe.get('epochs')} epochs"
            if isinstance(recipe, dict) and isinstance(recipe.get("lr"), (int, float))
            else ""
        )
        start = f" from {s['base']}" if s.get("base") else ""
        out.append(
            f"stage {s.get('stage')} {s.get('method')} ({s.get('kind')}){start} → {s.get('variant')}: "
            f"{own or 'defaults'}{how}"
        )
    return out


def chain_groups(derived: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str, list[str]]]:
    """Per stacked group among a run's produced variants: its name, the variant whose record is shown (the first
    met) and its `stage_lines`."""
    out, seen = [], set()
    for name, rec in derived.items():
        group = str(rec.get("group", name))
        if chain_of(rec) and group not in seen:
            seen.add(group)
            out.append((group, name, stage_lines(rec)))
    return out
