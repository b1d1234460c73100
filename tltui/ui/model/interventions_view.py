"""The Layers view's interventions section as data: per-layer Δ DIR bars with whiskers beside the passive scores,
the top-k follow-up, the rank correlations and the prefilled Mitigate form (no Textual here)."""

from __future__ import annotations

from collections.abc import Sequence

from tltui.base.rundir.interval import Interval
from tltui.base.rundir.interventions import PASSIVE, Interventions, LayerEffects
from tltui.base.rundir.metrics import AOI

BAR = 21
"""Characters of a Δ DIR bar (odd: the axis gets a middle when the span is symmetric)."""
SHORT = {
    "weight_change": "Δw",
    "adv_deviation": "adv dev",
    "coverage": "cov",
    "neuron_distance": "dist",
    "cka": "CKA",
    "discriminative": "disc",
}


def span(intervals: Sequence[Interval | None]) -> tuple[float, float]:
    """The axis every bar shares: the intervals' extent with 0 inside it."""
    found = [i for i in intervals if i is not None]
    lo = min([0.0, *(i.lo for i in found)])
    hi = max([0.0, *(i.hi for i in found)])
    return (lo, hi) if hi > lo else (lo - 1e-9, hi + 1e-9)


def whisker_bar(iv: Interval | None, axis: tuple[float, float], width: int = BAR) -> str:
    """A bar from 0 to the estimate (█), its interval as whiskers (├─┤, the ends drawn over the bar), on an axis
    every bar shares."""
    if iv is None:
        return "n/a".center(width)
    lo, hi = axis

    def col(x: float) -> int:
        return max(0, min(width - 1, round((x - lo) / (hi - lo) * (width - 1))))

    cells = [" "] * width
    a, b = col(iv.lo), col(iv.hi)
    for i in range(a, b + 1):
        cells[i] = "─"
    z, v = col(0.0), col(iv.value)
    for i in range(min(z, v), max(z, v) + 1):
        cells[i] = "█"
    if z == v and cells[z] == " ":
        cells[z] = "│"
    cells[a], cells[b] = ("┼", "┼") if a == b else ("├", "┤")  # the interval's ends stay visible over the bar
    return "".join(cells)


def signed(x: float) -> str:
    return f"{'+' if x > 0 else '−' if x < 0 else '±'}{abs(x):.3f}"


def interval_text(iv: Interval | None) -> str:
    return "n/a" if iv is None else f"{signed(iv.value)} [{signed(iv.lo)}, {signed(iv.hi)}]"


def noise_mark(iv: Interval | None) -> str:
    """`*` beside an interval that excludes zero (beyond noise), else nothing."""
    return "*" if iv is not None and iv.excludes_zero else ""


def ranked(iv: Interventions) -> list[LayerEffects]:
    """The layers in ranking order (unranked ones, where the ranking intervention did not apply, last)."""
    rank = {name: i for i, name in enumerate(iv.data.get("ranking", []))}
    return sorted(iv.layers, key=lambda r: rank.get(r["name"], len(rank)))


def layer_columns() -> tuple[str, ...]:
    return ("#", "layer", "Δ DIR  █ 0→est ├┤95%", "Δ DIR [95 %]", "Δ acc", *SHORT.values())


def layer_rows(iv: Interventions, kind: str) -> list[tuple[str, ...]]:
    """One row per layer for intervention `kind`: rank, name, bar, Δ DIR with interval, Δ accuracy, scores."""
    rows = ranked(iv)
    axis = span([iv.dir_delta(r, kind) for r in rows])
    rank = {name: i + 1 for i, name in enumerate(iv.data.get("ranking", []))}
    out = []
    for r in rows:
        d, a = iv.dir_delta(r, kind), iv.acc_delta(r, kind)
        passive = r.get("passive") or {}
        out.append(
            (
                str(rank.get(r["name"], "—")) if kind == iv.rank_by else "",
                r["name"],
                whisker_bar(d, axis),
                interval_text(d) + noise_mark(d),
                "n/a" if a is None else signed(a.value),
                *(_num(passive.get(key)) for key in SHORT),
            )
        )
    return out


def cumulative_rows(iv: Interventions) -> list[tuple[str, ...]]:
    return [
        (
            str(c["k"]),
            ", ".join(c["layers"]),
            interval_text(iv.delta(c["effect"])) + noise_mark(iv.delta(c["effect"])),
            interval_text(iv.delta(c["effect"], AOI.key)),
        )
        for c in iv.cumulative
    ]


def correlation_rows(iv: Interventions) -> list[tuple[str, ...]]:
    """Per passive score: ρ with |Δ DIR| of the ranking intervention, p, expected sign, and what it says."""
    out: list[tuple[str, ...]] = []
    for key, label, _ in PASSIVE:
        c = iv.correlations.get(key)
        if c is None:
            continue
        reading = (
            "not measurable"
            if c["agrees"] is None
            else "agrees"
            if c["agrees"]
            else "disagrees"
            if c["p"] is not None and c["p"] < 0.05
            else "no evidence"
        )
        rho = "—" if c["rho"] is None else signed(c["rho"])[:-1]  # two decimals
        out.append((label, rho, _num(c["p"]), "+" if c["expected"] > 0 else "−", reading))
    return out


def prefill(iv: Interventions, k: int, conv: Sequence[str]) -> tuple[str, dict[str, str]] | None:
    """The Mitigate form for the top `k` layers: ReMoS with `--scope` the conv layers among them (`conv`: the
    model's conv layers); None when none of them is a conv layer ReMoS could slice."""
    top = [n for n in iv.data.get("ranking", [])[:k] if n in conv]
    return ("remos", {"scope": ",".join(top)}) if top else None


def prefill_reinit(iv: Interventions, k: int) -> tuple[str, dict[str, str]] | None:
    """The Mitigate form for the top `k` layers: `reinit` re-initialising them (any layer or block the ranking
    holds), then fine-tuning; None when nothing is ranked."""
    top = list(iv.data.get("ranking", [])[:k])
    return ("reinit", {"layers": ",".join(top)}) if top else None


def _num(v: object, digits: int = 3) -> str:
    return f"{v:.{digits}f}" if isinstance(v, (int, float)) and not isinstance(v, bool) else "—"
