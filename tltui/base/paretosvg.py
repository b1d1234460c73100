"""The Pareto board as a hand-written SVG: DIR on x, accuracy on y, each point with its two intervals as a cross."""

from __future__ import annotations

import math
from html import escape

from tltui.base.verdicts import Board, Point

WIDTH, HEIGHT = 860, 480
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 300, 40, 60
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")


def _extent(points: list[Point], on_x: bool) -> tuple[float, float]:
    values = []
    for p in points:
        i = p.dir if on_x else p.acc
        values += [v for v in (i.value, i.lo, i.hi) if math.isfinite(v)]
    lo, hi = min(values), max(values)
    pad = max(0.02, 0.08 * (hi - lo))
    return max(0.0, lo - pad), min(1.0, hi + pad)


def _ticks(lo: float, hi: float) -> list[float]:
    step = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5) if (hi - lo) / s <= 8)
    first = math.ceil(lo / step) * step
    return [round(first + k * step, 4) for k in range(int((hi - first) / step + 1e-9) + 1)]


def pareto_svg(board: Board, title: str = "") -> str:
    """An SVG of every point of `board` (a cross: its DIR and accuracy intervals), the front as a line."""
    pts = board.points
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="14">'
        f"{escape(title or 'DIR against accuracy (95 % intervals as crosses)')}</text>",
    ]
    if not pts:
        out.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">nothing to compare</text>')
        return "\n".join([*out, "</svg>", ""])
    (x0, x1), (y0, y1) = _extent(pts, True), _extent(pts, False)
    pw, ph = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def sx(v: float) -> float:
        return round(_LEFT + (v - x0) / (x1 - x0) * pw, 1)

    def sy(v: float) -> float:
        return round(_TOP + ph - (v - y0) / (y1 - y0) * ph, 1)

    out.append(f'<rect x="{_LEFT}" y="{_TOP}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
    for t in _ticks(x0, x1):
        out.append(f'<line x1="{sx(t)}" y1="{_TOP + ph}" x2="{sx(t)}" y2="{_TOP + ph + 5}" stroke="#444"/>')
        out.append(f'<text x="{sx(t)}" y="{_TOP + ph + 18}" text-anchor="middle">{t:g}</text>')
    for t in _ticks(y0, y1):
        out.append(f'<line x1="{_LEFT - 5}" y1="{sy(t)}" x2="{_LEFT}" y2="{sy(t)}" stroke="#444"/>')
        out.append(f'<text x="{_LEFT - 8}" y="{sy(t) + 4}" text-anchor="end">{t:g}</text>')
    out.append(
        f'<text x="{_LEFT + pw / 2}" y="{HEIGHT - 18}" text-anchor="middle">'
        "DIR (share of correct answers teacher-crafted inputs turn wrong; lower is better)</text>"
    )
    out.append(
        f'<text x="18" y="{_TOP + ph / 2}" text-anchor="middle" '
        f'transform="rotate(-90 18 {_TOP + ph / 2})">clean accuracy (higher is better)</text>'
    )
    front = [p for name in board.front if (p := board.point(name)) is not None]
    if len(front) > 1:
        path = " ".join(f"{sx(p.dir.value)},{sy(p.acc.value)}" for p in front)
        out.append(f'<polyline points="{path}" fill="none" stroke="#999" stroke-dasharray="5,4"/>')
    for k, p in enumerate(pts):
        color = _COLORS[k % len(_COLORS)]
        cx, cy = sx(p.dir.value), sy(p.acc.value)
        if math.isfinite(p.dir.lo) and math.isfinite(p.dir.hi):
            out.append(
                f'<line x1="{sx(p.dir.lo)}" y1="{cy}" x2="{sx(p.dir.hi)}" y2="{cy}" stroke="{color}"/>'
            )
        if math.isfinite(p.acc.lo) and math.isfinite(p.acc.hi):
            out.append(
                f'<line x1="{cx}" y1="{sy(p.acc.lo)}" x2="{cx}" y2="{sy(p.acc.hi)}" stroke="{color}"/>'
            )
        on_front = p.name in board.front
        out.append(
            f'<circle cx="{cx}" cy="{cy}" r="{5 if on_front else 3.5}" fill="{color if on_front else "white"}" '
            f'stroke="{color}" stroke-width="1.5"><title>{escape(p.name)}</title></circle>'
        )
        out.append(f'<text x="{cx + 6}" y="{cy - 6}" fill="{color}">{escape(p.name)}</text>')
        ly = _TOP + 14 + 18 * k
        seeds = f" ({p.seeds} seeds)" if p.seeds > 1 else ""
        out.append(f'<circle cx="{WIDTH - _RIGHT + 20}" cy="{ly - 4}" r="4" fill="{color}"/>')
        out.append(f'<text x="{WIDTH - _RIGHT + 30}" y="{ly}">{escape(p.name + seeds)}</text>')
    ly = _TOP + 14 + 18 * len(pts) + 8
    out.append(f'<text x="{WIDTH - _RIGHT + 14}" y="{ly}" fill="#666">filled: on the front</text>')
    return "\n".join([*out, "</svg>", ""])
