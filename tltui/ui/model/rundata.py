"""The UI's read model of a run directory: summary.json plus optional artifacts, read with numpy only."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from tltui.base.rundir import OVERALL, SUMMARY, RunSummary, Summary, VariantMetrics, read_summary
from tltui.base.rundir.shape import DerivedRecord, LayerRow, SeedBlock
from tltui.base.rundir.shape_timeline import TimelineBlock


@dataclass(frozen=True)
class RunData:
    """One analysis run (plus the variants mitigation and treatment runs added to it)."""

    run_dir: Path
    summary: Summary
    """summary.json as read (the variants of joined runs added): read it through `info`."""
    overall: dict[str, Any] | None = None
    merged_from: tuple[Path, ...] = field(default=())
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    """Variant → the name of the run its row came from (a study state joins several runs)."""
    label: str = ""
    """The run's name as every view shows it (`analyze 151504-ad13`); the folder's name when empty."""
    joined_seeds: tuple[SeedBlock, ...] = field(default=(), compare=False)
    """The `seeds` blocks of the joined runs (a run's own is in its summary)."""
    joined_timelines: tuple[TimelineBlock, ...] = field(default=(), compare=False)
    """The `timeline` blocks of the joined runs, cut to the variants joined."""

    @classmethod
    def load(cls, run_dir: str | Path) -> RunData:
        """Read `run_dir/summary.json` (and overall.json if there); a missing summary, or one of a run format
        this code does not know, is a ResultsError."""
        from tltui.base.runfiles import load_json  # numpy comes with it: not before the first frame

        d = Path(run_dir).expanduser().resolve()
        summary = read_summary(d / SUMMARY)
        overall = load_json(d / OVERALL) if (d / OVERALL).is_file() else None
        return cls(d, summary.data, overall if isinstance(overall, dict) else None)

    @property
    def info(self) -> RunSummary:
        """The summary's typed accessors (metrics, attack, layers, fairness, …)."""
        return RunSummary(self.summary)

    @property
    def study(self) -> str:
        return self.info.study

    @property
    def device(self) -> str:
        return self.info.device

    @property
    def variants(self) -> dict[str, VariantMetrics]:
        return self.info.variants

    @property
    def name(self) -> str:
        return self.label or f"run {self.run_dir.name}"

    def source(self, variant: str) -> str:
        """The name of the run `variant`'s numbers came from."""
        return self.sources.get(variant, self.name)

    def instance_name(self, index: int) -> str:
        """A test instance's one name everywhere: its id in summary.json (`digit-81`), else `#index`."""
        ids = self.info.ids
        if ids is not None and 0 <= index < len(ids):
            return ids[index]
        return f"#{index}"

    def named(self, label: str) -> RunData:
        """This run under the name `label`, every variant's row from it."""
        return dataclasses.replace(self, label=label, sources=dict.fromkeys(self.variants, label))

    @property
    def layers(self) -> list[LayerRow]:
        return self.info.layers

    def artifact(self, name: str) -> Path | None:
        """The path of an optional artifact in this run (or a merged one), None if absent."""
        for d in (self.run_dir, *self.merged_from):
            if (d / name).is_file():
                return d / name
        return None

    def artifacts(self, name: str) -> list[Path]:
        """Every copy of an optional artifact: this run's first, then those of the merged runs."""
        return [d / name for d in (self.run_dir, *self.merged_from) if (d / name).is_file()]

    @property
    def seed_blocks(self) -> tuple[SeedBlock, ...]:
        """The `seeds` blocks of this run and the joined ones: the group intervals they recorded."""
        own = self.info.seeds
        return (own, *self.joined_seeds) if own is not None else self.joined_seeds

    @property
    def timelines(self) -> tuple[TimelineBlock, ...]:
        """The `timeline` blocks of this run and the joined ones (`--timeline N`), oldest first."""
        own = self.info.timeline
        return (own, *self.joined_timelines) if own is not None else self.joined_timelines

    @property
    def derived(self) -> dict[str, DerivedRecord]:
        """Produced variants (mitigations, treatments): name → {kind, method, base, …}."""
        return self.info.derived

    def merged(self, other: RunData, names: Iterable[str] | None = None) -> RunData:
        """This run with variants of another (all, or `names`) joined in, with their per-layer numbers."""
        take = set(other.variants if names is None else names) & set(other.variants)
        summary = copy.deepcopy(self.summary)
        summary.setdefault("variants", {}).update({n: copy.deepcopy(other.variants[n]) for n in take})
        derived = {n: copy.deepcopy(m) for n, m in other.derived.items() if n in take}
        if derived:
            summary["derived"] = {**self.derived, **derived}
        by_name = {layer.get("name"): layer for layer in RunSummary(summary).layers}
        for layer in other.layers:
            mine = by_name.get(layer.get("name"))
            if mine is None:
                continue
            for key in ("weight_change", "adv_deviation"):
                theirs = cast(dict[str, Any], layer).get(key)
                if isinstance(theirs, dict):
                    per_model = cast(dict[str, Any], mine).setdefault(key, {})
                    per_model.update({n: v for n, v in theirs.items() if n in take})
        sources = {**self.sources, **{n: other.source(n) for n in take}}
        return dataclasses.replace(
            self,
            summary=summary,
            merged_from=(*self.merged_from, other.run_dir),
            sources=sources,
            joined_seeds=(*self.joined_seeds, *other.seed_blocks),
            joined_timelines=(
                *self.joined_timelines,
                *(
                    TimelineBlock(**{**b, "runs": [r for r in b["runs"] if r["variant"] in take]})
                    for b in other.timelines
                ),
            ),
        )
