"""Strings from a study's data (class folders, file names) reach no terminal raw: escapes shown, markup literal."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.faults.conftest import REPO, tltui
from tests.studies import GOOD

ESC_CLASS = "a\x1b]0;pwned\x07\x1b[2J"
"""A class folder whose name sets the terminal's title and clears its screen."""
MARKUP_CLASS = "[bold red]loud"
EVIL_FILE = "x\x1b]0;owned\x07\x1b[2J\x9b1m.png"


def hostile_run(tmp_path: Path) -> Path:
    """A copy of the recorded demo run whose class names (the test tree's folders) and ids are hostile."""
    run = tmp_path / "run"
    shutil.copytree(REPO / "tests" / "ui" / "fixtures" / "demo-run", run)
    classes = [ESC_CLASS, MARKUP_CLASS, "c", "d", "e"]
    for name in ("summary.json", "overall.json"):
        data = json.loads((run / name).read_text())
        data["classes"] = classes
        if "ids" in data:
            data["ids"] = [f"{ESC_CLASS}/{i}" for i in data["ids"]]
        (run / name).write_text(json.dumps(data))
    return run


async def test_the_workbench_draws_class_names_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLTUI_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.ui.helpers import ready
    from tltui.ui.app import WorkbenchApp
    from tltui.ui.model.jobs_client import JobsClient
    from tltui.ui.model.session import Session
    from tltui.ui.model.settings import Settings
    from tltui.ui.tabs import TABS

    run = hostile_run(tmp_path)
    session = Session(
        study="demo", device="cpu", jobs=JobsClient(tmp_path / "ws"), run_dir=run, autostart=False
    )
    app = WorkbenchApp(session, Settings(gpu_stats=False))
    async with app.run_test(size=(160, 200)) as pilot:
        await ready(pilot)
        for i, key in enumerate(TABS):
            if key not in ("overview", "instances"):
                continue
            await pilot.press(f"alt+{i + 1}")
            await pilot.pause()
            drawn = "\n".join(
                "".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()
            )
            assert "\x1b" not in drawn and "\x9b" not in drawn and "\x07" not in drawn, key
            assert "\\x1b" in drawn, f"{key}: the hostile class name is not drawn at all"
            if key == "overview":
                assert "[bold red]loud" in drawn, "markup in a class name was interpreted"


def image_study(root: Path, image: str) -> Path:
    """GOOD with one test image named `image` (a file that is no image: the loader fails naming it)."""
    for split in ("train", "test"):
        for cls in ("a", "b"):
            (root / split / cls).mkdir(parents=True)
            (root / split / cls / image).write_bytes(b"not an image")
    (root / "t.safetensors").write_bytes(b"")
    study = root / "study.toml"
    study.write_text(GOOD)
    return study


@pytest.mark.e2e
def test_an_image_name_with_escapes_reaches_no_terminal_raw(tmp_path: Path) -> None:
    study = image_study(tmp_path, EVIL_FILE)
    ws = tmp_path / "ws"
    proc = tltui("analyze", str(study), "--out", str(tmp_path / "o"), "--workspace", str(ws))
    assert proc.returncode == 2, proc.stderr[-2000:]
    for text in (proc.stdout, proc.stderr):
        assert "\x1b]" not in text and "\x1b[2J" not in text and "\x9b" not in text, text[-2000:]
    assert "failed:" in proc.stderr and "\\x1b" in proc.stderr, proc.stderr[-2000:]
    listed = tltui("jobs", "list", "--workspace", str(ws))
    job = listed.stdout.splitlines()[1].split()[0]
    printed = []
    for args in (["logs", job], ["logs", job, "--follow"], ["show", job]):
        out = tltui("jobs", *args, "--workspace", str(ws))
        assert out.returncode == 0, out.stderr
        assert "\x1b" not in out.stdout and "\x9b" not in out.stdout, (args, out.stdout[-2000:])
        printed.append(out.stdout)
    assert printed[0] == printed[1], "`jobs logs` of a finished job differs from what --follow shows"
