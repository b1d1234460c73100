"""`tltui report RUN_DIR [RUN_DIR…] --out DIR`: report.md (verdicts, Pareto table, seed tables, layer interventions
where a run has them) and pareto.svg."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tltui.base.budget import budget_text
from tltui.base.checklines import check_lines
from tltui.base.errors import ResultsError, WriteError
from tltui.base.intervals import Interval
from tltui.base.rundir import INTERVENTIONS
from tltui.base.rundir.interventions import Interventions, read_interventions
from tltui.base.rundir.metrics import AOI, DIR
from tltui.base.stack import chain_groups
from tltui.base.sweep import value_text
from tltui.base.verdicts import METHOD_COLUMNS, Board, Comparison, Source, fmt_interval, signed
from tltui.commands.flags import add_common
from tltui.commands.localise_table import interventions_md
from tltui.commands.report_attacks import autoattack_tables, checks_md, ladder_tables

REPORT = "report.md"
SVG = "pareto.svg"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="write report.md and pareto.svg from run directories",
        description="Which method removes the inherited weakness, at what accuracy cost, beyond noise or not: "
        "a Markdown report and the Pareto chart of one study's runs (no torch needed).",
    )
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run directories of one study (summary.json)")
    p.add_argument("--out", required=True, help="directory for report.md and pareto.svg")
    add_common(p)


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    return [_row(*header), _row(*("---" for _ in header)), *(_row(*r) for r in rows), ""]


def _attack_lines(src: Source) -> list[str]:
    """Each attack with the budget it ran (tltui.base.budget: steps or queries, restarts, random start)."""
    s = src.summary
    lines = []
    if s.attack is not None:
        lines.append(f"- white-box attack (AAI, DR, ε-curves): {budget_text(s.attack)}")
    t = s.teacher_attack
    if t is not None:
        preset = f" (preset {t.get('preset')})" if t.get("preset") else ""
        lines.append(f"- teacher attack (DIR){preset}: {budget_text(t)}")
    return lines


def _recipes(sources: Sequence[Source]) -> list[str]:
    """One line per method: the parameters its first variant recorded; for a `--seeds` group the seeds it ran
    (each seed's record says `seeds = 1` and its own `seed`)."""
    seen: dict[str, dict[str, Any]] = {}
    seeds: dict[str, set[int]] = {}
    for src in sources:
        for rec in src.summary.derived.values():
            method = str(rec.get("method"))
            params = rec.get("params") or {}
            if rec.get("role") == "method" and "group" in rec and "seed" in rec:
                seeds.setdefault(method, set()).add(int(rec["seed"]))
            if method not in seen and params:
                seen[method] = dict(params)
    swept = {k for src in sources if (sw := src.summary.sweep) is not None for k in sw["grid"]}
    lines = []
    for method, params in seen.items():
        params = params | {k: "swept (see the recipe sweep)" for k in swept if k in params}
        ran = sorted(seeds.get(method, ()))
        if len(ran) > 1:
            params = {k: v for k, v in params.items() if k != "seed"} | {
                "seeds": f"{len(ran)} ({', '.join(map(str, ran))})"
            }
        lines.append(f"- {method}: " + ", ".join(f"{k} = {v}" for k, v in sorted(params.items())))
    return lines


def _chain_lines(sources: Sequence[Source]) -> list[str]:
    """Per stacked group (docs/mitigation.md#stacked-mitigations), its stages as its first seed recorded them."""
    lines, seen = [], set()
    for src in sources:
        for group, name, stages in chain_groups(src.summary.derived):
            if group not in seen:
                seen.add(group)
                lines += [f"- {group} (`{name}`):", *(f"  - {line}" for line in stages)]
    return lines


def _tuning_lines(sources: Sequence[Source]) -> list[str]:
    """`--tune-baseline`: the grid tried on the validation split, each candidate's accuracy, the recipe chosen
    (both sides of every pair trained with it)."""
    lines = []
    for src in sources:
        t = src.summary.tuning
        if t is None:
            continue
        grid = ", ".join(f"{k} {v}" for k, v in t["grid"].items() if v)
        tried = "; ".join(
            f"lr {c['lr']:g}, epochs {c['epochs'] or '—'}: {c['val_accuracy']:.3f}" for c in t["candidates"]
        )
        chosen = t["chosen"]
        lines.append(
            f"- {t['trained']} tuned on the {t['split']} split ({t['n_val']} images), grid {grid}: {tried}; "
            f"chosen lr {chosen['lr']:g}, epochs {chosen['epochs'] or 'the method’s'} (method and baseline both)"
        )
    return lines


def _sweep_lines(src: Source) -> list[str]:
    """A sweep run: its verdict line, then per value the method's and the baseline's seed means and the paired
    difference with its seeds+images interval."""
    sw = src.summary.sweep
    if sw is None:
        return []
    lines = [f"## Recipe sweep: {sw['method']} against {sw['baseline']}", "", f"**{sw['line']}**", ""]
    rows = []
    for p in sw["points"]:
        cells: list[object] = [value_text(p["value"]), len(p["seeds"]["seeds"])]
        for m in (DIR, AOI):
            block = p["seeds"]["metrics"].get(m.key)
            if block is None:
                cells += ["–", "–", "–"]
                continue
            g = block.get("group")
            delta = (
                fmt_interval(Interval(g["value"], g["lo"], g["hi"], g["includes"]), delta=True)
                if g is not None
                else signed(block["delta"]["mean"] or 0.0)
            )
            cells += [_mean(block["method"]["mean"]), _mean(block["baseline"]["mean"]), delta]
        cells.append({True: "yes", False: "no", None: "undecided"}[p["holds"]])
        rows.append(cells)
    header = (
        "value",
        "seeds",
        "DIR",
        "baseline DIR",
        "Δ DIR [95 %]",
        "accuracy",
        "baseline acc.",
        "Δ acc. [95 %]",
    )
    lines += _table((*header, "holds"), rows)
    lines += [
        "Both sides of every pair trained with the value's recipe; the advantage holds at a value when the "
        "Δ DIR interval (seeds and test images) lies below 0 with 3 seeds or more (tltui's docs/sweeps.md).",
        "",
    ]
    return lines


def _mean(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _seed_table(c: Comparison, variants: dict[str, Any]) -> list[str]:
    """One row per seed: the method's variant, its matched baseline (or the one untreated model), Δ."""
    bases = c.baseline.members if len(c.baseline.members) > 1 else c.baseline.members * len(c.point.members)
    rows = []
    for m, b in zip(c.point.members, bases, strict=False):
        md, ma = DIR.of(variants.get(m)), AOI.of(variants.get(m))
        bd, ba = DIR.of(variants.get(b)), AOI.of(variants.get(b))
        if md is None or ma is None or bd is None or ba is None:
            continue
        rows.append(
            (m, f"{md:.3f}", f"{ma:.3f}", b, f"{bd:.3f}", f"{ba:.3f}", signed(md - bd), signed(ma - ba))
        )
    header = ("variant", "DIR", "accuracy", "baseline", "its DIR", "its accuracy", "Δ DIR", "Δ accuracy")
    return [f"### {c.method} against {c.baseline_label}", "", *_table(header, rows)]


def _timeline_lines(sources: Sequence[Source]) -> list[str]:
    """The `--timeline` runs: per group the area under its front and where the checkpoint rule picked."""
    from tltui.base import timeline

    blocks = [b for s in sources if (b := s.summary.timeline) is not None]
    if not blocks:
        return []
    head = ["## Timeline: accuracy and DIR along training", "", timeline.note(blocks[-1]), ""]
    return head + _table(timeline.COLUMNS, timeline.rows(timeline.latest(blocks)))


def report_md(
    board: Board, sources: Sequence[Source], svg: str = SVG, interventions: Sequence[Interventions] = ()
) -> str:
    """The report: study, attacks, recipes, verdicts, the Pareto and comparison tables, the seed tables, and the
    layer interventions of the runs that hold interventions.json (`tltui localise`)."""
    first = sources[0].summary
    lines = [f"# Report: study {first.study}", ""]
    lines += [
        "Runs: " + ", ".join(f"`{Path(s.where).name}`" for s in sources) + f" (device {first.device})",
        "",
    ]
    lines += ["## Attacks", "", *_attack_lines(sources[0]), ""]
    lines += checks_md(sources)
    recipes = _recipes(sources)
    if recipes:
        lines += ["## Recipes (as recorded)", "", *recipes, ""]
    chains = _chain_lines(sources)
    if chains:
        lines += ["## Stacked mitigations (each stage as recorded)", "", *chains, ""]
    tuned = _tuning_lines(sources)
    if tuned:
        lines += ["## Tuning (validation split)", "", *tuned, ""]
    for src in sources:
        lines += _sweep_lines(src)
    lines += ["## Verdicts", ""]
    lines += [f"- {c.line()}" for c in board.comparisons] or ["- no method to compare: run mitigate or treat"]
    if board.study_line:
        lines.append(f"- {board.study_line}")
    lines += ["", *(f"_{n}_" for n in board.notes)]
    warned = list(
        dict.fromkeys(
            [w for src in sources for w in src.summary.warnings]
            + [w for src in sources for w in check_lines(src.summary.checks)]  # docs/checks.md
        )
    )
    if warned:  # what the runs warned of (an undertrained baseline) stands beside the verdicts it qualifies
        lines += ["## Warnings", "", *(f"- {w}" for w in warned), ""]
    lines += ["## Pareto board", "", f"![DIR against accuracy]({svg})", ""]
    rows: list[tuple[object, ...]] = [
        (
            p.name,
            p.seeds,
            fmt_interval(p.dir),
            fmt_interval(p.acc),
            p.dir.includes,
            "yes" if p.name in board.front else "",
        )
        for p in board.points
    ]
    lines += _table(
        ("model or group", "seeds", "DIR [95 %]", "accuracy [95 %]", "interval over", "front"), rows
    )
    if board.comparisons:
        lines += ["## Methods against their matched baselines", ""]
        rows.clear()
        rows.extend(c.cells() for c in board.comparisons)
        header = METHOD_COLUMNS
        lines += _table(header, rows)
        lines += [
            "Δ is method − matched baseline. Intervals: `images` a bootstrap over test images, `seeds+images` "
            "seed variance and test-set sampling (tltui's docs/intervals.md); with fewer than 3 seeds or no "
            "spread the verdict is “more seeds needed”.",
            "",
        ]
    lines += _timeline_lines(sources)
    lines += _robustness_lines(sources)
    groups = [c for c in board.comparisons if c.n_seeds > 1]
    if groups:
        variants: dict[str, Any] = {}
        for s in sources:
            for n, v in s.summary.variants.items():
                variants.setdefault(n, v)
        lines += ["## Seed tables", ""]
        for c in groups:
            lines += _seed_table(c, variants)
    for iv in interventions:
        lines += interventions_md(iv)
    return "\n".join(lines).rstrip() + "\n"


def _robustness_lines(sources: Sequence[Source]) -> list[str]:
    """The AutoAttack preset and the DIR ladder of each run that has them (docs/attacks.md)."""
    lines: list[str] = []
    for src in sources:
        name = Path(src.where).name
        aa = autoattack_tables(src)
        if aa is not None:
            lines += [f"## AutoAttack preset (`{name}`)", "", aa[0], "", *_table(*aa[1])]
        ladder = ladder_tables(src)
        if ladder is not None:
            lines += [f"## DIR ladder (`{name}`)", "", *_table(*ladder[0]), *_table(*ladder[1])]
    return lines


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"{path}: cannot write ({exc.strerror or exc}); choose another --out") from exc


def run(args: argparse.Namespace) -> int:
    from tltui.base.paretosvg import pareto_svg
    from tltui.base.verdicts import board, load_source
    from tltui.commands.common import writable_out

    for r in args.runs:
        if not Path(r).expanduser().is_dir():
            raise ResultsError(f"{r}: not a directory; give the run directory that holds summary.json")
    sources = [load_source(Path(r).expanduser()) for r in args.runs]
    studies = sorted({s.summary.study for s in sources})
    if len(studies) > 1:
        raise ResultsError(f"runs of different studies ({', '.join(studies)}): report one study at a time")
    out = writable_out(args.out)
    b = board(sources)
    _write(out / SVG, pareto_svg(b, f"{studies[0]}: DIR against accuracy (95 % intervals)"))
    found = [Path(r).expanduser() / INTERVENTIONS for r in args.runs]
    _write(
        out / REPORT,
        report_md(b, sources, interventions=[read_interventions(p) for p in found if p.is_file()]),
    )
    for src in sources:
        if src.summary.sweep is not None:
            print(src.summary.sweep["line"])
    for c in b.comparisons:
        print(c.line())
    if b.study_line:
        print(b.study_line)
    print(f"wrote {out / REPORT} and {out / SVG}")
    return 0
