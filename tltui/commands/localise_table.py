"""The interventions as Markdown: the per-layer table with intervals, the top-k follow-up and each passive score's
rank correlation, for `tltui localise`'s output, the report and the README."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from tltui.base.names import shown
from tltui.base.rundir.interventions import PASSIVE, Interventions
from tltui.base.rundir.metrics import AOI
from tltui.base.verdicts import fmt_interval


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    return [_row(*header), _row(*("---" for _ in header)), *(_row(*r) for r in rows), ""]


def _num(v: object, digits: int = 3) -> str:
    return f"{v:.{digits}f}" if isinstance(v, (int, float)) and not isinstance(v, bool) else "—"


def verdict(agrees: bool | None, p: float | None) -> str:
    """How a passive score's ranking compares with the interventions', in words."""
    if agrees is None:
        return "not measurable"
    if agrees:
        return "agrees"
    return "disagrees (significant, wrong sign)" if p is not None and p < 0.05 else "no evidence (p ≥ 0.05)"


def interventions_md(iv: Interventions, heading: str = "##") -> list[str]:
    """The Markdown section of one interventions.json."""
    d = iv.data
    acc0, dir0 = iv.baseline
    kinds = [k for k in d.get("interventions", []) if any((r.get("effects") or {}).get(k) for r in iv.layers)]
    lines = [
        f"{heading} Layer interventions: {shown(d.get('variant'))}",
        "",
        f"Baseline (no intervention): accuracy {_num(acc0)}, DIR {_num(dir0)} on {d.get('n_test')} test images; "
        f"the teacher-crafted inputs computed once. Δ = intervened − baseline, 95 % paired bootstrap over the test "
        f"images ({d.get('n_boot')} resamples); layers ranked by |Δ DIR| under `{iv.rank_by}`.",
        "",
    ]
    rank = {name: i + 1 for i, name in enumerate(d.get("ranking", []))}
    header = [
        "rank",
        "layer",
        *(f"Δ DIR {k}" for k in kinds),
        f"Δ acc {iv.rank_by}",
        *(k for k, _, _ in PASSIVE),
    ]
    rows = []
    for layer in sorted(iv.layers, key=lambda r: rank.get(r["name"], 1_000)):
        cells: list[object] = [rank.get(layer["name"], "—"), f"`{shown(layer['name'])}`"]
        for k in kinds:
            delta = iv.dir_delta(layer, k)
            cells.append("n/a" if delta is None else fmt_interval(delta, delta=True))
        acc = iv.acc_delta(layer)
        cells.append("n/a" if acc is None else fmt_interval(acc, delta=True))
        cells += [_num((layer.get("passive") or {}).get(k)) for k, _, _ in PASSIVE]
        rows.append(cells)
    lines += _table(header, rows)
    if iv.cumulative:
        lines += [f"Cumulative `{iv.rank_by}` on the top k layers:", ""]
        crow = []
        for cum in iv.cumulative:
            dd, da = iv.delta(cum["effect"]), iv.delta(cum["effect"], AOI.key)
            crow.append(
                (
                    cum["k"],
                    ", ".join(f"`{shown(n)}`" for n in cum["layers"]),
                    "—" if dd is None else fmt_interval(dd, delta=True),
                    "—" if da is None else fmt_interval(da, delta=True),
                )
            )
        lines += _table(("k", "layers", "Δ DIR", "Δ acc"), crow)
    lines += [f"Passive scores against |Δ DIR| of `{iv.rank_by}` (Spearman ρ, permutation p):", ""]
    corr = iv.correlations
    crows = []
    for key, label, _ in PASSIVE:
        c = corr.get(key)
        if c is None:
            continue
        crows.append(
            (
                label,
                _num(c.get("rho"), 2),
                _num(c.get("p"), 3),
                c.get("n"),
                "+" if c.get("expected", 0) > 0 else "−",
                verdict(c.get("agrees"), c.get("p")),
            )
        )
    lines += _table(("passive score", "ρ", "p", "layers", "expected sign", "reading"), crows)
    return lines


def print_interventions(iv: Interventions, stream: TextIO) -> None:
    print("\n".join(interventions_md(iv)).rstrip(), file=stream)
