"""Export a view's data as CSV and JSON into the run's exports/ folder."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tltui.base.budget import budget_record
from tltui.base.rundir import EXPORTS


@dataclass(frozen=True)
class ExportTable:
    """What a view exports: a name for the file, column names, and rows of plain values."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def export_dir(run_dir: Path | None) -> Path:
    """`run_dir/exports` (or ./tltui-exports when no run is shown), created."""
    d = (run_dir / EXPORTS) if run_dir is not None else Path.cwd() / "tltui-exports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def export_view(
    view: Any, run_dir: Path | None, formats: str, screenshot: Callable[..., str]
) -> tuple[list[Path], bool]:
    """Write `view`'s data (csv, json: its `export_table()`) and/or the screen (svg, by `screenshot`) into
    `run_dir/exports`; the files written, and whether data was asked for but the view had none."""
    folder = export_dir(run_dir)
    written: list[Path] = []
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    if "svg" in wanted:
        name = f"tltui-{view.id or 'view'}-{stamp()}.svg"
        written.append(Path(screenshot(filename=name, path=str(folder))))
    data = [f for f in wanted if f in ("csv", "json")]
    table = view.export_table() if data else None
    if table is not None:
        run = getattr(view, "run", None)
        info = run.info if run is not None else None
        budget = budget_record(info.attack, info.teacher_attack) if info is not None else None
        written += write_table(table, folder, data, budget)
    return written, bool(data) and table is None


def write_table(
    table: ExportTable, folder: Path, formats: Iterable[str], budget: dict[str, str] | None = None
) -> list[Path]:
    """Write `table` in each of `formats` ('csv', 'json'); returns the written paths. `budget` (each attack's
    budget line, tltui.base.budget.budget_record) goes into the JSON beside the rows, and into the CSV as one
    column per attack repeated on every row (a CSV has no place for a note a spreadsheet keeps)."""
    base = f"{table.name}-{stamp()}"
    written: list[Path] = []
    for fmt in formats:
        path = folder / f"{base}.{fmt}"
        if fmt == "csv":
            with path.open("w", newline="") as fh:
                w = csv.writer(fh)
                extra = dict(budget or {})
                w.writerow([*table.columns, *extra])
                w.writerows([*row, *extra.values()] for row in table.rows)
        elif fmt == "json":
            records = [dict(zip(table.columns, row, strict=False)) for row in table.rows]
            doc: dict[str, Any] = {"view": table.name, "rows": records}
            if budget is not None:
                doc["budget"] = budget
            path.write_text(json.dumps(doc, indent=2, default=str))
        else:
            continue
        written.append(path)
    return written


def as_float(value: object) -> float:
    """A JSON value as a float; NaN for null, booleans and anything non-numeric."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return float("nan")
    return float(value)


def fmt_num(value: object, digits: int = 3) -> str:
    """A metric for a table cell: fixed digits, '–' for missing or non-numeric values."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "–"
    if value != value or value in (float("inf"), float("-inf")):
        return "–"
    return f"{value:.{digits}f}"


def columns_of(rows: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for r in rows for k in r))
