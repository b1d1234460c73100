"""Series styles stay the same per name, stay distinct for 30 series, and a seed group never wears a model's;
the Jobs panel's columns grow with their content."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tests.ui.test_seed_comparison import seeds_run
from tltui.ui.model.chart_spec import SLOTS, color_order, group_key
from tltui.ui.widgets.chart_text import ASCII_MARKERS, MARKERS, glyph
from tltui.ui.widgets.comparison import tradeoff_spec
from tltui.ui.widgets.jobs_panel import JobsPanel

NAMES = [
    f"{m}-s{s}"
    for m in ("remos", "model-doctor", "dare", "fmt", "magprune", "delta", "retrain")
    for s in range(4)
]


def test_a_name_keeps_its_slot_whatever_the_order_and_the_study_builds_keep_theirs() -> None:
    forward = color_order(["scratch", "probe", "finetune", *NAMES])
    backward = color_order(list(reversed(["scratch", "probe", "finetune", *NAMES])))
    assert forward == backward
    assert [forward[n] for n in ("teacher", "scratch", "probe", "finetune")] == [0, 1, 2, 3]
    # a name alone (no collision) gets the slot its hash gives, in any run
    assert color_order(["remos-s0"])["remos-s0"] == color_order(["dare", "remos-s0"])["remos-s0"]


def test_thirty_series_are_distinct_by_glyph_alone_and_by_colour_and_glyph() -> None:
    names = ["scratch", "probe", "finetune", *NAMES[:26]]
    slots = color_order(names)
    assert len(slots) == SLOTS and len(set(slots.values())) == SLOTS
    for plain, glyphs in ((False, MARKERS), (True, ASCII_MARKERS)):
        assert len({glyph(k, plain) for k in slots.values()}) == SLOTS == len(set(glyphs))
    for colours in (10, 9, 6):  # the theme's series colours, ANSI16, a theme without series colours
        assert len({(k % colours, glyph(k, False)) for k in slots.values()}) == SLOTS


def test_a_seed_group_never_takes_a_models_slot() -> None:
    names = ["scratch", "probe", "finetune", "remos", *NAMES[:20]]
    slots = color_order(names, [group_key("remos"), group_key("finetune")])
    models = {slots[n] for n in ["teacher", *names]}
    assert slots[group_key("remos")] not in models and slots[group_key("finetune")] not in models
    assert slots[group_key("remos")] != slots[group_key("finetune")]


def test_tradeoff_chart_styles_groups_apart_from_every_variant(tmp_path: Path) -> None:
    spec = tradeoff_spec(seeds_run(tmp_path))  # scratch is series 1: a group once took `len(series)` = 1 too
    colours = [s.color for s in spec.series]
    assert len(colours) == len(set(colours)) == 3
    assert spec.series[0].color == color_order(["scratch"])["scratch"]


class _Panel(App[None]):
    def compose(self) -> ComposeResult:
        yield JobsPanel(None)


async def test_jobs_columns_grow_when_a_cell_grows() -> None:
    app = _Panel()
    async with app.run_test(size=(100, 12)) as pilot:
        panel = app.query_one(JobsPanel)
        table = panel.query_one(DataTable)
        table.add_row("abc", "mitigate", "demo", "", "queued", "", "", "", key="j1")
        await pilot.pause()
        panel._set_cells("j1", ("status", "ETA"), ("running", "0:25:12"))
        await pilot.pause()
        widths = {
            str(c.key.value): c.get_render_width(table) - 2 * table.cell_padding
            for c in table.columns.values()
        }
        assert widths["status"] >= len("running") and widths["ETA"] >= len("0:25:12")


def test_the_baseline_note_names_the_warning_and_the_tuned_recipe(tmp_path: Path) -> None:
    from tltui.ui.model.baseline_note import baseline_note
    from tltui.ui.model.rundata import RunData

    chosen = {"lr": 0.01, "epochs": None, "val_accuracy": 0.9}
    tuning = {"trained": "finetune", "n_val": 125, "candidates": [chosen], "chosen": chosen}
    run = RunData(tmp_path, {"study": "demo", "variants": {}, "warnings": ["the finetune baseline …"]})
    assert baseline_note(run) == "⚠ the finetune baseline …"
    run = RunData(tmp_path, {"study": "demo", "variants": {}, "derived": {"a": {"tuning": tuning}}})
    assert baseline_note(run) == "finetune tuned on 125 validation images: lr 0.01 (of lr 0.01)"
    assert baseline_note(None) == ""


class _ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        from tltui.ui.widgets.chart import Chart, ChartSpec, Series

        series = tuple(Series(n, (1.0, 2.0), (0.0, 1.0), color=i) for i, n in enumerate(("a", "b", "c")))
        yield Chart(ChartSpec("line", series), id="c")


async def test_the_chart_picker_shows_one_series_at_a_time_from_the_keyboard() -> None:
    from tltui.ui.widgets.chart import Chart

    app = _ChartApp()
    async with app.run_test(size=(60, 16)) as pilot:
        chart = app.query_one(Chart)
        chart.focus()
        await pilot.press("s")
        assert chart.only == "a"
        assert chart.spec is not None and [s.label for s in chart._shown(chart.spec).series] == ["a"]
        await pilot.press("s", "s", "s")
        assert chart.only is None  # past the last: all again
        await pilot.press("S")
        assert chart.only == "c"
        shown = chart._shown(chart.spec)
        assert shown.series[0].color == 2 and "only c" in shown.notes[-1]  # its style kept
