"""No module outside tltui/base/rundir/ spells a summary metric key (to index a dict, or at all): a `Metric` does."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tltui.base.rundir.metrics import METRICS, READ_ONLY_HERE

ROOT = Path(__file__).resolve().parents[2]


def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """`x["aoi"]`, `x['dir']` (a read, or a write into a dict) and `x.get("dir"` / `.pop(` / `.setdefault(`."""
    key = "|".join(re.escape(n) for n in names)
    return re.compile(
        rf"""\[\s*(["'])(?P<a>{key})\1\s*\]|\.(?:get|pop|setdefault)\(\s*(["'])(?P<b>{key})\3"""
    )


def _modules(root: Path) -> list[Path]:
    """Every .py under `root`'s tltui/ and scripts/, but those of tltui/base/rundir/ (where the keys live)."""
    owner = root / "tltui" / "base" / "rundir"
    every = [*(root / "tltui").rglob("*.py"), *(root / "scripts").rglob("*.py")]
    return sorted(p for p in every if not p.is_relative_to(owner))


def offences(root: Path) -> list[str]:
    """`path:line: key` for every metric key indexed by a string literal under `root`'s tltui/ and scripts/."""
    pattern = _pattern(READ_ONLY_HERE)
    found = []
    for path in _modules(root):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for m in pattern.finditer(line):
                found.append(f"{path.relative_to(root)}:{n}: {m.group('a') or m.group('b')}")
    return found


def test_every_metric_is_in_the_guarded_keys() -> None:
    assert {m.key for m in METRICS} <= set(READ_ONLY_HERE)
    assert {"eps_curve", "teacher_adv_acc", "fairness", "spd", "eod", "aaod"} <= set(READ_ONLY_HERE)


def test_the_pattern_catches_reads_and_spares_other_keys() -> None:
    pattern = _pattern(READ_ONLY_HERE)
    for bad in ('v["aoi"]', "v['dir']", 'v.get("macro_f1")', "m[ 'spd' ]['method']", 'v.get("fairness", {})'):
        assert pattern.search(bad), bad
    for fine in ('v["aoin"]', 'v.get("direction")', "AOI.of(v)", "v[M.DIR.key]", 'x["name"]'):
        assert not pattern.search(fine), fine


def test_no_module_outside_the_run_directory_package_spells_a_metric_key() -> None:
    found = offences(ROOT)
    assert not found, "read these through tltui.base.rundir (a Metric, RunSummary):\n" + "\n".join(found)


def test_no_module_outside_it_spells_a_metric_key_at_all() -> None:
    """Stricter than the reads: a column list of key strings, a dict literal the core writes; they use `.key`."""
    keys = set(READ_ONLY_HERE)
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}"
        for path in _modules(ROOT)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value in keys
    ]
    assert not found, "spell these as a Metric's key (tltui.base.rundir.metrics):\n" + "\n".join(found)
