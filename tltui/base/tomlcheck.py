"""Checked reading of a parsed TOML file's tables: every error one line naming the file, the table and the key."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from tltui.base.errors import StudyError
from tltui.base.names import shown

INT64 = 2**63
"""TOML integers are 64-bit; tomllib reads any size, and one beyond this fits no float nor tensor."""


def check_raw(path: Path, value: Any, where: str = "") -> None:
    """Every value of a parsed TOML file checked for what no key may hold: an integer beyond 64 bits (no float
    holds it) or a string with a NUL byte (no path holds it); a one-line StudyError naming the key."""
    if isinstance(value, dict):
        for k, v in value.items():
            check_raw(path, v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for v in value:
            check_raw(path, v, where)
    elif isinstance(value, int) and not isinstance(value, bool) and not -INT64 <= value < INT64:
        raise StudyError(
            f"{path.name}: {shown(where)} = {str(value)[:20]}…: integers must fit in 64-bit (signed)"
        )
    elif isinstance(value, str) and "\x00" in value:
        raise StudyError(
            f"{path.name}: {shown(where)} = {shown(repr(value))}: a NUL byte fits no path or name"
        )


class TableReader:
    """Reads keys of the tables of one TOML file with their types, ranges and files checked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.parent

    def check_keys(self, section: str, table: dict[str, Any], allowed: set[str], required: set[str]) -> None:
        for k in table:
            if k not in allowed:
                raise StudyError(
                    f"{self.path.name}: unknown key {shown(repr(k))} in [{section}] "
                    f"(allowed: {', '.join(sorted(allowed))})"
                )
        for k in sorted(required):
            if k not in table:
                raise StudyError(f"{self.path.name}: [{section}] is missing the required key '{k}'")

    def get(
        self, section: str, table: dict[str, Any], key: str, typ: type | tuple[type, ...], default: Any
    ) -> Any:
        if key not in table:
            return default
        value = table[key]
        types = typ if isinstance(typ, tuple) else (typ,)
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            names = " or ".join(t.__name__ for t in types)
            raise StudyError(
                f"{self.path.name}: [{section}] {key} must be {names}, got {type(value).__name__} "
                f"{shown(repr(value))}"
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise StudyError(f"{self.path.name}: [{section}] {key} = {value}: must be a finite number")
        return value

    def int_in(self, section: str, table: dict[str, Any], key: str, default: Any, lo: int, hi: int) -> Any:
        """An integer key that must lie in [lo, hi] when given."""
        value = self.get(section, table, key, int, default)
        if value is not None and not lo <= value <= hi:
            bound = f"at least {lo}" if value < lo else f"at most {hi}"
            raise StudyError(f"{self.path.name}: [{section}] {key} must be {bound}, got {value}")
        return value

    def file(self, section: str, table: dict[str, Any], key: str, *, is_dir: bool = False) -> Path | None:
        rel = self.get(section, table, key, str, None)
        if rel is None:
            return None
        p: Path = (self.base / rel).resolve()
        if not (p.is_dir() if is_dir else p.is_file()):
            what = "directory" if is_dir else "file"
            raise StudyError(
                f"{self.path.name}: [{section}] {key} = {shown(repr(rel))}: {what} not found at {shown(p)}"
            )
        return p

    def table(self, raw: dict[str, Any], key: str, *, required: bool) -> dict[str, Any]:
        if key not in raw:
            if required:
                raise StudyError(f"{self.path.name}: the required section [{key}] is missing")
            return {}
        t = raw[key]
        if not isinstance(t, dict):
            raise StudyError(f"{self.path.name}: '{key}' must be a table [{key}]")
        return t

    def floats(
        self, section: str, table: dict[str, Any], key: str, default: tuple[float, ...]
    ) -> tuple[float, ...]:
        value = self.get(section, table, key, list, None)
        if value is None:
            return default
        if not value or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise StudyError(f"{self.path.name}: [{section}] {key} must be a non-empty list of numbers")
        if not all(math.isfinite(v) for v in value):
            raise StudyError(
                f"{self.path.name}: [{section}] {key} = {value}: every value must be a finite number"
            )
        return tuple(float(v) for v in value)
