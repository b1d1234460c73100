"""The help screen: every key (as bound now, after keys.toml), where to rebind them, and what the words mean."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tltui.ui.keys import ALT_DIGITS, effective_keys, key_name, keys_path_display
from tltui.ui.model.glossary import GLOSSARY
from tltui.ui.widgets.table import Table

ALT_KEY_NAMES = frozenset(key_name(c) for c in ALT_DIGITS)


def pretty(keys: str) -> str:
    names = {
        "question_mark": "?",
        "slash": "/",
        "pagedown": "PgDn",
        "pageup": "PgUp",
        "plus": "+",
        "minus": "-",
        "equals_sign": "=",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
    }
    out = []
    for key in keys.split(","):
        if key.strip() in ALT_KEY_NAMES:
            continue  # what alt+digit arrives as: the help lists alt+digit itself
        parts = [names.get(p, p) for p in key.strip().split("+")]
        out.append(
            "+".join(p.upper() if len(p) <= 3 and p.startswith("f") and p[1:].isdigit() else p for p in parts)
        )
    return "  ".join(out)


class HelpScreen(ModalScreen[None]):
    """A modal table of scope, action, keys; Esc, F1 or q closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 110; max-width: 100%; height: 90%; border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen DataTable { height: 1fr; }
    HelpScreen #help-glossary { height: 1fr; }
    HelpScreen .note { color: $text-muted; height: auto; }
    """
    BINDINGS = [  # noqa: RUF012
        Binding("escape,f1,q,question_mark", "dismiss", "Close", priority=True),
    ]

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("tltui keys (Tab: the glossary below)", classes="section")
            table = Table(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static(
                f'Rebind in {keys_path_display()}, one line per name, e.g.  toggle_sidebar = "ctrl+b,f2".\n'
                "Mouse: click tabs, tree nodes, table rows and buttons.  Esc closes.",
                classes="note",
            )
            yield Static("What the words and numbers mean", classes="section")
            yield Table(id="help-glossary", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one(DataTable)
        table.add_columns("where", "name", "keys", "does")
        for spec, keys in effective_keys(self.keymap):
            table.add_row(spec.scope, spec.name, pretty(keys), spec.description)
        table.add_row(
            "palette", "—", "type", "every command: analysis, mitigate, treat, variants, themes, export"
        )
        table.focus()
        glossary: DataTable[Any] = self.query_one("#help-glossary", DataTable)
        glossary.add_columns("term", "meaning")
        for term, meaning in GLOSSARY:
            glossary.add_row(term, meaning)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
