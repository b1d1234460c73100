"""Every key binding in one table, with VS Code keys first and tmux/SSH-safe alternatives; user-rebindable.

Chosen by what tmux 3.x delivers to the pane (tests/ui/test_tmux.py sends the raw sequences): plain keys,
ctrl+letter, F1-F12 and alt+letter (as ESC + letter) arrive intact. ctrl+b is tmux's prefix; alt+b / alt+f reach
Textual as ctrl+left / ctrl+right; alt+1…9 reach it as the characters a Mac's Option key types (¡ ™ £ ¢ ∞ § ¶ • ª:
Textual reads ESC + digit that way), so those characters are bound too; shift+F3 is the same sequence as a
cursor-position report and never arrives. So the view tabs are the plain digits (outside a text box), with alt+digit
and ctrl+PgUp/PgDn as alternatives.

Any number of views works (a plugin may add some, docs/workbench.md): the first nine tabs get the digits 1-9 (and
alt+digit); a tenth and later are reached by ctrl+PgUp/PgDn (alt+left/right) and the palette's "Show view: <title>".

Rebind keys in `$XDG_CONFIG_HOME/tltui/keys.toml` (default `~/.config/tltui/keys.toml`), one line per action,
comma-separated keys replacing the defaults, for example::

    toggle_sidebar = "ctrl+b,f2"
    palette = "ctrl+p,alt+p"

A `[keys]` table holding the same lines also works. Action names are the `name` column of the help screen (F1).
"""

from __future__ import annotations

import os
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding, BindingType

from tltui.base.catalogue import VIEWS
from tltui.ui.model.settings import config_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PREFIX = "tltui."
ALT_DIGITS = "¡™£¢∞§¶•ª"
"""What alt+1…alt+9 arrive as: ESC + digit as Textual reads it, or a Mac's Option+digit."""
DIGIT_TABS = 9
"""Tabs 1-9 have a digit key; later ones are reached by next/previous tab and the palette."""


def tab_keys(i: int) -> str:
    """The keys of view tab `i` (1-based): the digit, alt+digit and its glyph where Textual has one."""
    glyph = ALT_DIGITS[i - 1] if i <= len(ALT_DIGITS) else ""
    return f"{i},alt+{i}" + (f",{key_name(glyph)}" if glyph else "")


def key_name(char: str) -> str:
    """Textual's key name for a character (`∞` → `infinity`)."""
    return unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")


@dataclass(frozen=True)
class KeySpec:
    """One rebindable action: its name in keys.toml, the Textual action, default keys, what it does."""

    name: str
    action: str
    keys: str
    description: str
    scope: str = "global"
    priority: bool = True
    show: bool = False

    @property
    def binding_id(self) -> str:
        return PREFIX + self.name

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.description,
            show=self.show,
            priority=self.priority,
            id=self.binding_id,
        )


APP_KEYS: tuple[KeySpec, ...] = (
    KeySpec("palette", "command_palette", "ctrl+p,ctrl+shift+p,alt+p", "Command palette"),
    KeySpec("help", "help", "f1,question_mark", "Help: every key", priority=False),
    KeySpec("run_analysis", "run_analysis", "f5,alt+r", "Run the analysis of this study as a job"),
    KeySpec("export_data", "export('csv,json')", "ctrl+s,alt+s", "Export this view's data (CSV + JSON)"),
    KeySpec("export_svg", "export('svg')", "f12,ctrl+shift+s", "Save the screen as SVG"),
    KeySpec("next_theme", "next_theme", "f8,alt+t", "Switch to the next theme (remembered)"),
    KeySpec("quit", "quit", "ctrl+q,f10", "Quit (jobs keep running)"),
    KeySpec(
        "show_state", "show_state", "ctrl+r,f7", "Show the newest results of every variant (study state)"
    ),
)

LAYOUT_KEYS: tuple[KeySpec, ...] = (
    KeySpec("toggle_sidebar", "toggle_sidebar", "ctrl+b,f2,alt+e", "Toggle the explorer sidebar"),
    KeySpec("toggle_panel", "toggle_panel", "ctrl+j,f4,alt+j", "Toggle the bottom panel (jobs, log)"),
    KeySpec("maximise", "maximise", "f11,alt+m", "Maximise the focused area (again: restore)"),
    KeySpec("next_region", "next_region", "f6", "Focus the next area: explorer, view, panel"),
    KeySpec("next_tab", "next_tab", "ctrl+pagedown,alt+right", "Next view tab"),
    KeySpec("prev_tab", "prev_tab", "ctrl+pageup,alt+left", "Previous view tab"),
    *(
        KeySpec(
            f"tab_{i}",
            f"show_tab_index({i - 1})",
            tab_keys(i),
            f"Show view tab {i} ({entry.title}); a text box takes the digit itself",
            priority=False,
        )
        for i, entry in enumerate(list(VIEWS.values())[:DIGIT_TABS], start=1)
    ),
)

GLOBAL_KEYS: tuple[KeySpec, ...] = APP_KEYS + LAYOUT_KEYS

PANEL_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "cancel_job", "cancel_job", "x,delete", "Cancel the selected job", scope="jobs panel", priority=False
    ),
    KeySpec("watch_job", "watch_job", "enter", "Follow the selected job's progress", scope="jobs panel"),
)

INSTANCE_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "filter", "focus_filter", "slash", "Filter the instance table", scope="instances", priority=False
    ),
    KeySpec(
        "sort_fooled", "sort_fooled", "f", "Sort instances by 'fooled'", scope="instances", priority=False
    ),
    KeySpec(
        "toggle_tsne",
        "toggle_tsne",
        "t",
        "Projection: PCA / t-SNE (computes t-SNE as a job when missing)",
        scope="instances",
        priority=False,
    ),
)

WINDOW_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "raise_threshold",
        "threshold(0.05)",
        "plus,equals_sign,right_square_bracket",
        "Layer window: raise the link threshold (fewer links)",
        scope="layer window",
        priority=False,
    ),
    KeySpec(
        "lower_threshold",
        "threshold(-0.05)",
        "minus,left_square_bracket",
        "Layer window: lower the link threshold (more links)",
        scope="layer window",
        priority=False,
    ),
)

COMPARE_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "toggle_group",
        "toggle_group",
        "e",
        "Comparison: expand a --seeds group to its seeds, or collapse it (enter on a group row too)",
        scope="comparison",
        priority=False,
    ),
)

CHART_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "chart_next_series",
        "pick(1)",
        "s",
        "Chart: show the next series alone (after the last: all again)",
        scope="chart",
        priority=False,
    ),
    KeySpec(
        "chart_prev_series",
        "pick(-1)",
        "S",
        "Chart: show the previous series alone",
        scope="chart",
        priority=False,
    ),
)

ALL_KEYS: tuple[KeySpec, ...] = (
    GLOBAL_KEYS + PANEL_KEYS + INSTANCE_KEYS + WINDOW_KEYS + COMPARE_KEYS + CHART_KEYS
)


def keys_path() -> Path:
    return config_dir() / "keys.toml"


def keys_path_display() -> str:
    """keys.toml's location as the user would write it ($XDG_CONFIG_HOME or ~)."""
    return (
        "$XDG_CONFIG_HOME/tltui/keys.toml"
        if os.environ.get("XDG_CONFIG_HOME")
        else "~/.config/tltui/keys.toml"
    )


def read_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """Binding id → keys from keys.toml, and a sentence for each line that was not used (the app shows them)."""
    p = path or keys_path()
    try:
        raw = tomllib.loads(p.read_text())
    except FileNotFoundError:
        return {}, []
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [f"{p}: not read ({exc}); the default keys apply"]
    table = raw.get("keys", raw)
    if not isinstance(table, dict):
        return {}, [f"{p}: [keys] is not a table; the default keys apply"]
    known = {k.name for k in ALL_KEYS}
    out: dict[str, str] = {}
    problems: list[str] = []
    for name, keys in table.items():
        if name not in known:
            problems.append(f"{p}: unknown action {name!r} ignored (F1 lists the names)")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f'{p}: {name} needs a string of keys, e.g. {name} = "ctrl+b,f2"; ignored')
        else:
            out[PREFIX + name] = keys
    if "keys" in raw and len(raw) > 1:
        problems.append(f"{p}: lines outside [keys] are ignored when a [keys] table is there")
    return out, problems


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Binding id → keys from keys.toml; unknown names and non-string values are left out."""
    return read_keymap(path)[0]


def effective_keys(keymap: dict[str, str]) -> list[tuple[KeySpec, str]]:
    """Each action with the keys actually bound (user keymap over defaults), for the help screen."""
    return [(spec, keymap.get(spec.binding_id, spec.keys)) for spec in ALL_KEYS]


def bindings(specs: tuple[KeySpec, ...]) -> list[BindingType]:
    return [spec.binding() for spec in specs]
