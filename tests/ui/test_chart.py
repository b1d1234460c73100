"""The chart widget's guards: inf/NaN cleaning, downsampling, render cache, throttle, no crash on plot errors."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from rich.console import Console
from textual.app import App, ComposeResult

from tltui.ui.widgets.chart import Chart, ChartSpec, Series, clean_spec, downsample


def as_text(chart: Chart) -> str:
    """What the chart draws, as plain text (the plot, then its legend)."""
    console = Console(width=chart.size.width or 80, color_system=None, file=io.StringIO())
    console.print(chart.render())
    return console.file.getvalue()  # type: ignore[attr-defined]


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Chart(id="chart")


def line(y: list[float], **kw: object) -> ChartSpec:
    return ChartSpec("line", (Series("s", tuple(y), tuple(range(len(y)))),), **kw)  # type: ignore[arg-type]


def test_clean_drops_non_finite_points_and_notes_them() -> None:
    spec = clean_spec(line([1.0, math.inf, math.nan, -math.inf, 2.0]))
    assert spec.series[0].y == (1.0, 2.0) and spec.series[0].x == (0.0, 4.0)
    assert any("3 non-finite" in n for n in spec.notes)


def test_clean_keeps_log_axes_positive_and_bars_finite() -> None:
    assert clean_spec(line([0.0, 1.0, 10.0], yscale="log")).series[0].y == (1.0, 10.0)
    bars = clean_spec(ChartSpec("bar", (Series("b", (0.5, math.nan, math.inf)),), categories=("a", "b", "c")))
    assert bars.series[0].y == (0.5, 0.0, 0.0)


def test_downsample_bounds_points_and_keeps_peaks() -> None:
    y = np.sin(np.linspace(0, 20, 10_000))
    y[4321] = 50.0
    xs, ys = downsample(list(range(len(y))), y.tolist(), 200)
    assert len(ys) <= 200 and max(ys) == 50.0 and xs == sorted(xs)
    assert downsample([0, 1], [1, 2], 200) == ([0, 1], [1, 2])


async def test_inf_and_nan_render_without_error() -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(Chart)
        chart.show(line([0.1, math.inf, 0.3, math.nan, 0.5]))
        await pilot.pause()
        text = as_text(chart)
        assert "chart unavailable" not in text and "non-finite" in text


async def test_plot_errors_become_one_line() -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(Chart)

        def boom(*_: object, **__: object) -> None:
            raise ValueError("math domain error")

        chart.plt.build = boom  # type: ignore[method-assign]
        chart.show(line([1.0, 2.0, 3.0]))
        await pilot.pause()
        rendered = str(chart.render())
        assert rendered.startswith("chart unavailable: math domain error") and "\n" not in rendered


async def test_log_scale_never_takes_the_app_down() -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(Chart)
        chart.show(line([1e-3, 1.0, 1e3], yscale="log"))
        await pilot.pause()
        chart.render()  # whatever plotext does with it, the render returns
        assert app.is_running


async def test_render_is_cached_per_data_size_and_theme() -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(Chart)
        chart.show(line([1.0, 2.0, 3.0]))
        await pilot.pause()
        chart.render()
        chart.render()
        builds = chart.builds
        assert builds >= 1
        chart.refresh()
        await pilot.pause()
        chart.render()
        assert chart.builds == builds
        app.theme = "textual-light"
        await pilot.pause()
        chart.render()
        assert chart.builds == builds + 1
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        chart.render()
        assert chart.builds == builds + 2


async def test_updates_are_throttled() -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(Chart)
        chart.show(line([0.0, 1.0]))
        for i in range(50):
            chart.show(line([0.0, float(i)]))
        assert chart.spec is not None and chart.spec.series[0].y == (0.0, 1.0)  # coalesced, not yet drawn
        await pilot.pause(chart.MIN_INTERVAL * 2)
        assert chart.spec is not None and chart.spec.series[0].y == (0.0, 49.0)


@pytest.mark.parametrize("kind", ["line", "scatter", "bar", "grouped"])
async def test_every_kind_draws(kind: str) -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(Chart)
        series = (
            Series("a", (0.2, 0.5, 0.9), (0.0, 1.0, 2.0)),
            Series("b", (0.1, 0.4, 0.3), (0.0, 1.0, 2.0)),
        )
        chart.show(ChartSpec(kind, series, "t", categories=("x", "y", "z")))  # type: ignore[arg-type]
        await pilot.pause()
        assert "chart unavailable" not in str(chart.render())


def test_one_colour_per_variant_in_every_chart() -> None:
    from tltui.ui.tabs.layers import per_layer_spec
    from tltui.ui.tabs.overview import dir_spec, eps_spec

    variants = {
        n: {"dir": 0.1, "eps_curve": [[0.0, 0.9], [0.1, 0.2]]} for n in ("scratch", "probe", "finetune")
    }
    layers = [
        {
            "name": "conv1",
            "weight_change": {"probe": 0.1, "finetune": 0.2},
            "adv_deviation": {"teacher": 1.0, "finetune": 0.5},
        }
    ]
    order = list(variants)
    wc = {s.label: s.color for s in per_layer_spec(layers, "weight_change", "wc", order).series}  # type: ignore[union-attr]
    ad = {s.label: s.color for s in per_layer_spec(layers, "adv_deviation", "ad", order).series}  # type: ignore[union-attr]
    eps = {s.label: s.color for s in eps_spec(variants).series}  # type: ignore[union-attr]
    bars = dict(zip(dir_spec(variants).categories, dir_spec(variants).colors, strict=True))  # type: ignore[union-attr]
    assert wc["finetune"] == ad["finetune"] == eps["finetune"] == bars["finetune"]
    assert len(set(eps.values())) == 3


async def test_legend_below_the_plot_every_bar_named_and_glyphs_without_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = ChartApp()
    async with app.run_test(size=(60, 20)) as pilot:
        chart = app.query_one(Chart)
        points = tuple(Series(n, (0.9,), (0.1 * i,)) for i, n in enumerate(("scratch", "probe", "finetune")))
        chart.show(ChartSpec("scatter", points, "acc vs DIR"))
        await pilot.pause()
        lines = as_text(chart).rstrip("\n").splitlines()
        legend = lines[-1]
        assert all(name in legend for name in ("scratch", "probe", "finetune"))  # under the plot, not in it
        glyphs = {legend[legend.index(n) - 2] for n in ("scratch", "probe", "finetune")}
        assert len(glyphs) == 3  # one glyph per series: no colour needed to tell them apart
        names = tuple(f"variant-{i}" for i in range(9))
        chart.show(
            ChartSpec("bar", (Series("DIR", tuple(0.1 * i for i in range(9))),), "DIR", categories=names)
        )
        await pilot.pause(0.2)
        text = as_text(chart)
        assert all(n in text for n in names)  # every bar is named


def test_sixteen_colour_terminals_get_ansi_series_colours() -> None:
    from tltui.ui.widgets.chart_text import ANSI16, palette

    assert palette({}, 16) == list(ANSI16)
    themed = palette({f"series-{i}": f"#0000{i:02x}" for i in range(1, 11)}, 256)
    assert len(themed) == 10 and len(set(themed)) == 10


async def test_a_joined_series_draws_its_whiskers_as_lines_in_a_scatter() -> None:
    """A seed group on the trade-off chart: its mean with interval whiskers, one polyline in its own glyph."""
    app = ChartApp()
    async with app.run_test(size=(60, 20)) as pilot:
        chart = app.query_one(Chart)
        cross = ((0.5, 0.5, 0.5, 0.2, 0.8), (0.1, 0.9, 0.5, 0.5, 0.5))
        drawn = {}
        for joined in (False, True):
            chart.show(ChartSpec("scatter", (Series("g", *cross, marker="x", joined=joined),)))
            while chart.spec is None or chart.spec.series[0].joined != joined:  # updates are throttled
                await pilot.pause(0.05)
            plot = as_text(chart).splitlines()[:-1]  # the legend's line names the glyph too
            drawn[joined] = sum(line.count("x") for line in plot)
        assert drawn[False] <= 5 and drawn[True] > 20  # the points alone, then lines through them
