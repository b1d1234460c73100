"""summary.json: the run-directory format version it carries, the check readers make, its metric rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tltui.base.errors import ResultsError

FORMAT = 1
"""The run-directory format this code writes and the newest it reads. Bump it whenever a reader of the
previous version would misread a new run (a key renamed or re-meant); adding keys or files does not."""
FORMAT_KEY = "format"
SUMMARY_KEYS: tuple[str, ...] = ("study", "variants", "n_test", "classes")
"""Keys every summary.json has had: a summary without `format` is read as the current format only with these."""


def check_format(summary: Any, where: object) -> int:
    """The format of `summary` (summary.json's contents, read from `where`), or a one-line ResultsError when
    this code cannot read it: not a summary, or written by a newer tltui."""
    if not isinstance(summary, dict):
        raise ResultsError(f"{where}: not an analysis summary (expected a JSON object)")
    found = summary.get(FORMAT_KEY)
    if found is None:
        missing = [k for k in SUMMARY_KEYS if k not in summary]
        if missing or not isinstance(summary.get("variants"), dict):
            what = ", ".join(repr(k) for k in missing) or "'variants' table"
            raise ResultsError(f"{where}: no '{FORMAT_KEY}' and no {what}; is this an analysis run?")
        return FORMAT
    if isinstance(found, bool) or not isinstance(found, int) or found < 1:
        raise ResultsError(f"{where}: '{FORMAT_KEY}' is {found!r}, not a run-directory format version")
    if found > FORMAT:
        raise ResultsError(
            f"{where}: written by a newer tltui (run format {found}; this one reads up to {FORMAT}); "
            "upgrade tltui to open it"
        )
    return found


def metric_rows(variants: Mapping[str, Mapping[str, Any]], keys: Iterable[str]) -> list[tuple[Any, ...]]:
    """One row per variant of summary.json `variants`: its name, then its value of each key (None if absent)."""
    keys = tuple(keys)
    return [(name, *(v.get(k) for k in keys)) for name, v in variants.items()]
