"""What the Mitigate view shows of a `--timeline` run: DIR and accuracy against epoch per group, the picks, areas."""

from __future__ import annotations

from tltui.base.rundir.shape_timeline import TimelineRun
from tltui.base.timeline import Band, bands, latest, note, picked, rows
from tltui.ui.model.chart_spec import ChartSpec, Series
from tltui.ui.model.rundata import RunData

PICK = "picked on validation"
_FIELDS = (("test_dir", "DIR"), ("test_accuracy", "test accuracy"))


def timeline_runs(run: RunData | None) -> list[TimelineRun]:
    """Every recorded timeline of the run and the runs joined to it, one per variant (the latest record)."""
    return latest(run.timelines) if run is not None else []


def timeline_specs(run: RunData | None, plain: bool = False) -> list[ChartSpec]:
    """DIR and test accuracy against epoch: per group its seed mean (with the seeds' range when it has
    several seeds) and each seed's checkpoint picked on the validation split; none without a timeline."""
    runs = timeline_runs(run)
    if not runs:
        return []
    out: list[ChartSpec] = []
    for field, what in _FIELDS:
        series: list[Series] = []
        groups = bands(runs, field)
        for color, band in enumerate(groups):
            series.extend(_band_series(band, color, plain))
        for color, band in enumerate(groups):
            picks = [(p["epoch"], p[field]) for p in picked(runs, band.label)]
            if picks:
                series.append(
                    Series(
                        PICK if color == 0 else "",
                        tuple(float(v) for _, v in picks),
                        tuple(float(e) for e, _ in picks),
                        marker="x" if plain else "◆",
                        color=color,
                    )
                )
        out.append(ChartSpec("scatter", tuple(series), f"{what} along training", xlabel="epoch", ylabel=what))
    return out


def _band_series(band: Band, color: int, plain: bool) -> list[Series]:
    seeds = f" ×{band.n_seeds} seeds" if band.n_seeds > 1 else ""
    out = [Series(band.label + seeds, band.mean, band.epochs, color=color, joined=True)]
    if band.lo is not None and band.hi is not None:
        dot = "." if plain else "·"
        out.append(Series("", band.lo, band.epochs, marker=dot, color=color, joined=True))
        out.append(Series("", band.hi, band.epochs, marker=dot, color=color, joined=True))
    return out


def timeline_rows(run: RunData | None) -> list[tuple[str, ...]]:
    """Per group: seeds, front area with its interval, the picks and what was kept (tltui.base.timeline.rows)."""
    return rows(timeline_runs(run))


def timeline_note(run: RunData | None) -> str:
    """One line on the latest timeline block: the fixed teacher attack, the splits, the cost, the rule."""
    return note(run.timelines[-1]) if run is not None and run.timelines else ""
