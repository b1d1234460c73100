"""Every repository path the README and docs/ name (`tltui/…`, `tests/…`, `scripts/…`, `docs/…`) exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A repository path starts a word: not after `/`, `~`, `.` or a letter (so `~/.config/tltui/keys.toml` and a
# reference repository's `core/grad_constraint.py` are not ours). It may end in `:attribute` or `#anchor`.
PATH = re.compile(r"(?<![\w/~.-])((?:tltui|tests|scripts|docs|themes)/[\w./-]*[\w/])")


def named_paths(text: str) -> set[str]:
    return {m.group(1).rstrip("/.") for m in PATH.finditer(text)}


def test_the_pattern_finds_paths_and_leaves_out_user_paths() -> None:
    text = (
        "see `tltui/core/x.py:f`, [a](docs/a.md#b) and ~/.config/tltui/keys.toml, tests/ui/ and tltui/base."
    )
    assert named_paths(text) == {"tltui/core/x.py", "docs/a.md", "tests/ui", "tltui/base"}


def test_every_path_named_in_the_docs_exists() -> None:
    missing = {
        f"{doc.relative_to(ROOT)}: {path}"
        for doc in DOCS
        for path in named_paths(doc.read_text())
        if not (ROOT / path).exists()
    }
    assert not missing, sorted(missing)
