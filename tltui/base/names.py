"""Names users give (studies, variants, `--name`): one strict rule, paths kept inside their root; and the one
display rule for every string that comes from a study or its data (`shown`, `shown_markup`)."""

from __future__ import annotations

import re
from pathlib import Path

from tltui.base.errors import TltuiError

NAME_RULE = "letters, digits and . _ + -, starting with a letter or digit, at most 64 characters"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")
RESERVED = frozenset({"teacher"})
"""Model names tltui gives itself; a variant cannot take them."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MARKUP_TAG = re.compile(r"(\\*)(\[[a-z#/@$][^[]*?])", re.IGNORECASE)
"""A `[tag]` Rich or Textual markup would interpret (and the backslashes before it), as in `rich.markup.escape`;
case-insensitive and with `$` (Textual's variables) so no tag of either parser slips through."""


class PathError(TltuiError):
    title = "Unsafe path"


def is_name(value: object) -> bool:
    """Whether `value` follows the name rule (so it is safe as one file-name component on every OS)."""
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def check_name(value: object, where: str, error: type[TltuiError] = TltuiError) -> str:
    """`value` if it follows the name rule, else a one-line `error` saying where it came from."""
    if not is_name(value):
        raise error(f"{where} = {shown(repr(value))}: use {NAME_RULE}")
    return str(value)


def inside(root: Path, *parts: str) -> Path:
    """`root/parts…` resolved, refused unless it lies inside `root` (no `..`, absolute part or symlink out)."""
    base = root.resolve()
    path = base.joinpath(*parts).resolve()
    if path != base and base not in path.parents:
        raise PathError(f"{path}: outside {base}; tltui writes only inside its workspace and --out")
    return path


def shown(text: object) -> str:
    """`text` safe to print on a terminal: control characters (escape sequences, newlines) written as \\xNN."""
    return _CONTROL.sub(_escape, str(text))


def shown_lines(text: object) -> str:
    """`shown` for text of several lines (an error screen, an empty state): each line escaped, newlines kept."""
    return "\n".join(shown(line) for line in str(text).split("\n"))


def shown_markup(text: object) -> str:
    """`text` safe in a widget that reads markup (a table cell, a Static, a toast): `shown`, and every `[tag]`
    escaped so `[bold red]` is drawn as written."""
    return _MARKUP_TAG.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", shown(text))


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def produced_name(given: str | None, method: str, seed: int, taken: list[str]) -> str:
    """The name of a produced variant: `--name`, else the method's, else `<method>-seed<N>` when the study has a
    variant of the method's name (the `finetune` baseline beside the study's own `finetune`)."""
    if given is not None:  # an explicit empty name is refused by the name rule, not replaced
        return given
    return f"{method}-seed{seed}" if method in taken else method
