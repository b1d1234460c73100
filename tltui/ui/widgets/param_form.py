"""A form generated from a catalogue family: a method picker and one box per parameter, checked by the catalogue."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch

from tltui.base.catalogue import Entry, ParamSpec, parse
from tltui.base.errors import ParamError
from tltui.base.jobparams import job_params
from tltui.base.study import Study
from tltui.ui.widgets.flow import Flow


def box_width(spec: ParamSpec) -> int:
    """Columns a parameter's box needs to show its longest choice or its default whole (border and arrow
    included), so no value is cut to `defaul`."""
    if spec.choices:
        return max(12, max(len(str(c)) for c in spec.choices) + 10)
    return max(12, min(28, len(spec.default_text()) + 6))


class ParamForm(Widget):
    """Method select, then the chosen method's parameters; a box is mounted when a method first needs it and is
    shared by every method with a parameter of that name (hidden while the chosen one has none).

    Ids are `<prefix>-method`, `<prefix>-<param>` (box or select) and `<prefix>-l-<param>` (its label).
    Parameters named in `pickers` are selects whose options the view fills (e.g. the run's variants)."""

    DEFAULT_CSS = """
    ParamForm { height: auto; }
    ParamForm .pf-group { height: auto; width: auto; }
    ParamForm .pf-group Label { padding: 1 1 0 0; }
    ParamForm .pf-head .pf-group Select { width: 26; }
    ParamForm .pf-head .pf-group Label { width: auto; max-width: 15; }
    ParamForm .pf-actions Button { margin: 0 1 0 0; }
    ParamForm .pf-help { height: auto; color: $text-muted; }
    ParamForm .pf-error { height: auto; color: $error; }
    ParamForm .-hidden { display: none; }
    """

    def __init__(
        self,
        entries: dict[str, Entry],
        *,
        prefix: str,
        method: str,
        pickers: tuple[str, ...] = (),
        extra: tuple[Widget, ...] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.entries, self.prefix, self.pickers = entries, prefix, pickers
        self.initial = method
        self.study: Study | None = None
        """The parsed study when the view knows it (its attack checks values across keys); None: the defaults."""
        self.extra = extra
        """Widgets placed after the method picker (e.g. the run button)."""
        self.shown: dict[str, str] = {}
        """The default text each box was last given."""
        self.specs: dict[str, ParamSpec] = {}
        for entry in entries.values():
            for spec in entry.specs():
                self.specs.setdefault(spec.name, spec)
        self._rows: dict[str, list[Widget]] = {}
        self._showing: str | None = None
        self._fields: Flow | None = None
        self._label_w = 0

    def compose(self) -> ComposeResult:
        p = self.prefix
        self._label_w = min(14, max((len(spec.label) for spec in self.specs.values()), default=6)) + 1
        box_w = max(box_width(spec) for spec in self.specs.values()) if self.specs else 12
        with Flow(cell=42, classes="pf-head"):
            with Horizontal(classes="pf-group"):
                yield Label("method")
                options = [(name, name) for name in self.entries]
                yield Select(options, value=self.initial, allow_blank=False, id=f"{p}-method")
            for name in self.pickers:
                label = Label(self.specs[name].label, id=f"{p}-l-{name}")
                picker = Select[str]([], prompt=name, id=f"{p}-{name}")
                self._rows[name] = [label, picker]
                yield Horizontal(label, picker, classes="pf-group")
            if self.extra:
                yield Horizontal(*self.extra, classes="pf-group pf-actions")
        fields = [name for name in self.specs if name not in self.pickers]
        self._fields = Flow(cell=self._label_w + box_w, most=len(fields), classes="pf-fields")
        with self._fields:
            mine = {s.name for s in self.entries[self.initial].specs()}
            yield from (self._group(name) for name in fields if name in mine)
        yield Static("", classes="pf-error", id=f"{p}-error")
        yield Static("", classes="pf-help", id=f"{p}-help")

    def _group(self, name: str) -> Widget:
        """Parameter `name`'s label and box (built from the family's first spec of that name, as every method
        shares its box), recorded in `rows()`."""
        p, spec = self.prefix, self.specs[name]
        label = Label(spec.label, id=f"{p}-l-{name}")
        label.styles.width = self._label_w
        if spec.kind == "bool":  # a switch (e.g. tune baseline), as the CLI's --flag / --no-flag
            box: Widget = Switch(value=bool(spec.default), id=f"{p}-{name}")
            box.tooltip = spec.describe()
        else:
            if spec.choices:
                choices = [(c, c) for c in spec.choices]
                box = Select(choices, value=spec.default, allow_blank=False, id=f"{p}-{name}")
            else:
                self.shown[name] = spec.default_text()
                box = Input(spec.default_text(), placeholder="auto", id=f"{p}-{name}")
                box.tooltip = spec.describe()
            box.styles.width = box_width(spec)
        group = Horizontal(label, box, classes="pf-group", id=f"{p}-g-{name}")
        self._rows[name] = [group, label, box]
        return group

    def _mount_rows(self, entry: Entry) -> None:
        """Mount the boxes `entry` needs that no method shown so far had, each in its place in the family's order
        (a form composes only its first method's boxes: all of them were a third of the workbench's widgets)."""
        assert self._fields is not None, "mounted after compose"
        order = [name for name in self.specs if name not in self.pickers]
        for name in (s.name for s in entry.specs()):
            if name in self._rows or name not in order:
                continue
            later = (self._rows[n][0] for n in order[order.index(name) + 1 :] if n in self._rows)
            self._fields.mount(self._group(name), before=next(later, None))

    def on_mount(self) -> None:
        self.show_method()

    @property
    def method(self) -> str:
        return str(self.query_one(f"#{self.prefix}-method", Select).value)

    @property
    def entry(self) -> Entry:
        return self.entries[self.method]

    def rows(self) -> dict[str, list[Widget]]:
        """The widgets (box, label, group) of each parameter whose box is mounted."""
        return self._rows

    def box(self, name: str) -> Widget:
        """The box (input, select or switch) of parameter `name`."""
        want = f"{self.prefix}-{name}"
        return next(w for w in self._rows[name] if w.id == want)

    def show_method(self) -> None:
        """Show the chosen method's parameters and its help; hide the others'. A box the user left at the last
        method's default takes this method's default (methods may default a shared parameter differently)."""
        self._showing = self.method
        self._mount_rows(self.entry)
        mine = {s.name: s for s in self.entry.specs()}
        for name, spec in mine.items():
            box = self.box(name)
            if isinstance(box, Input) and box.value == self.shown.get(name, spec.default_text()):
                box.value = spec.default_text()
            self.shown[name] = spec.default_text()
        for name, widgets in self.rows().items():
            for w in widgets:
                w.set_class(name not in mine, "-hidden")
        self.query_one(f"#{self.prefix}-help", Static).update(self.entry.help)
        self.check()

    def check(self) -> bool:
        """Check each shown box as the job would (range, type) and say at once what is wrong; True if all pass."""
        problems = []
        for spec in self.entry.specs():
            if spec.name in self.pickers:
                continue
            box = self.box(spec.name)
            if not isinstance(box, Input):
                continue
            try:
                if box.value.strip():
                    parse(spec, box.value.strip(), spec.label)
                box.remove_class("-invalid")
            except ParamError as exc:
                box.add_class("-invalid")
                problems.append(exc.msg)
        self.query_one(f"#{self.prefix}-error", Static).update("\n".join(problems))
        return not problems

    def set_text(self, name: str, text: str) -> None:
        """Put `text` in parameter `name`'s box when it is a text box of a method shown so far."""
        box = self.box(name) if name in self._rows else None
        if isinstance(box, Input):
            box.value = text

    def on_input_changed(self, event: Input.Changed) -> None:
        self.check()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == f"{self.prefix}-method" and self.method != self._showing:
            self.show_method()  # not again for the method on show (the select announces its first value too)

    def set_options(self, name: str, options: list[str], preferred: tuple[str, ...] = ()) -> None:
        """Fill a picker, keeping its value when still offered, else the first preferred one present."""
        select = self.query_one(f"#{self.prefix}-{name}", Select)
        keep = select.value if isinstance(select.value, str) else ""
        choice = next((n for n in (keep, *preferred) if n in options), options[-1] if options else "")
        with select.prevent(Select.Changed):
            select.set_options([(n, n) for n in options])
            if choice:
                select.value = choice

    def text(self, name: str) -> str:
        """What parameter `name`'s box holds; "" (the method's default) for a box no method shown so far had."""
        if name not in self._rows:
            return ""
        widget = self.box(name)
        if isinstance(widget, Switch):
            return "true" if widget.value else ""
        value = widget.value if isinstance(widget, (Input, Select)) else ""
        return value.strip() if isinstance(value, str) else ""

    def values(
        self,
        method: str | None = None,
        layers: list[tuple[str, str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`method`'s parameters from the boxes (empty boxes left out), checked by `job_params` as the CLI checks
        them; layer names are checked against `layers` (name, kind) when given; `extra` raw values join them (a
        chain's `then` and stage keys). Raises `ParamError`."""
        entry = self.entries[method or self.method]
        raw = {**{s.name: self.text(s.name) for s in entry.specs()}, **(extra or {})}
        values = job_params(entry, raw, self.study, layers=layers or None)
        values.pop("method", None)
        return values

    def job_params(
        self,
        method: str | None,
        layers: list[tuple[str, str]] | None,
        title: str,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """`{"method": …, **values}` for a job, or None after a toast naming what is wrong."""
        method = method or self.method
        try:
            return {"method": method, **self.values(method, layers, extra)}
        except ParamError as exc:
            self.notify(exc.msg, title=title, severity="error")
            return None
