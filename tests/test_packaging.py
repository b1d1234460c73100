"""The wheel ships every package and the built-in themes; pyproject's explicit package list matches the tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
THEMES = ["ansi.toml", "dark.toml", "high-contrast.toml", "light.toml", "nord.toml"]
SKIP = (".git", ".venv", "build", "dist", "out", "*.egg-info", "__pycache__", ".*_cache")


def test_the_package_list_names_every_package_in_the_tree() -> None:
    listed = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "tltui").rglob("__init__.py")}
    expected = found | {"tltui.themes"}
    assert set(listed) == expected, (
        f"add {sorted(expected - set(listed))}, drop {sorted(set(listed) - expected)}"
    )


@pytest.mark.e2e
def test_a_built_wheel_installs_the_builtin_themes(tmp_path: Path) -> None:
    def run(*cmd: str | Path, cwd: Path = REPO) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        proc = subprocess.run(
            [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout

    src = tmp_path / "src"  # a copy: building in place would leave build/ behind in the repository
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(*SKIP))
    run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", tmp_path / "dist", cwd=src)
    (wheel,) = (tmp_path / "dist").glob("tltui-*.whl")
    run(sys.executable, "-m", "venv", tmp_path / "venv")
    python = tmp_path / "venv" / "bin" / "python"
    run(python, "-m", "pip", "install", "--no-deps", "-q", wheel)
    work = tmp_path / "elsewhere"  # not the source tree, so only the installed copy can be imported
    work.mkdir()
    listing = "import tltui; from tltui.ui.themefiles import builtin_theme_files as b; "
    listing += "print(tltui.__file__); print(*(f.name for f in b()))"
    where, names = run(python, "-c", listing, cwd=work).splitlines()
    assert Path(where).is_relative_to(tmp_path / "venv")
    assert names.split() == THEMES
