"""The workbench in a real tmux pane: the tab keys as the raw bytes tmux delivers, every tab reached at 80×24,
120×35 and 160×48 with nothing cut off, and a light theme still readable on a 16-colour terminal."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

TLTUI = Path(sys.executable).with_name("tltui")
MARKERS = {
    1: "study: finetune DIR",  # Overview: the verdict lines
    2: "instances",  # Instances: the count under the filter
    3: "Saliency and Grad-CAM",  # Features
    4: "adversarial deviation",  # Layers
    5: "Method and parameters",  # Mitigate
    6: "Treatment",  # Treat
    7: "accuracy vs DIR",  # Pareto: the chart title
}
TAB_BAR = "1 Overview  2 Instances  3 Features  4 Layers  5 Mitigate  6 Treat  7 Pareto"


class Pane:
    """A detached tmux session running one command; keys go in as raw bytes, the screen comes out as text."""

    def __init__(self, name: str, width: int, height: int, command: str) -> None:
        self.name = name
        args = ["tmux", "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command]
        for attempt in range(3):
            # The previous test's kill-session may leave a tmux server on its way out, which refuses new
            # sessions for a moment: start again rather than fail on tmux's own race.
            proc = subprocess.run(args, capture_output=True, text=True)
            if proc.returncode == 0:
                return
            time.sleep(0.5 * (attempt + 1))
        raise AssertionError(f"tmux would not start a session: {proc.stderr.strip()}")

    def text(self, escapes: bool = False) -> str:
        args = ["tmux", "capture-pane", "-p", "-t", self.name] + (["-e"] if escapes else [])
        return subprocess.run(args, capture_output=True, text=True).stdout

    def send(self, raw: bytes) -> None:
        """The bytes a terminal sends for a key, as tmux passes them to the application (`send-keys -H`)."""
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-H", *(f"{b:02x}" for b in raw)], check=True)

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on the screen after {timeout} s:\n{screen}")
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def pane_factory(tmp_path: Path, recorded_run: Path) -> Iterator[object]:
    panes: list[Pane] = []

    def make(width: int, height: int, env: str = "", settings: str = "") -> Pane:
        config = tmp_path / f"cfg-{len(panes)}"
        (config / "tltui").mkdir(parents=True)
        (config / "tltui" / "settings.toml").write_text(settings)
        command = (
            # COLUMNS/LINES from the test runner would pin the app's size: the pane's own size is the point.
            f"env -u COLUMNS -u LINES {env} XDG_CONFIG_HOME={config} TLTUI_WORKSPACE={tmp_path / 'ws'} "
            f"{TLTUI} open demo --run {recorded_run} --no-autostart"
        )
        pane = Pane(f"tltui-test-{uuid.uuid4().hex[:12]}", width, height, command)
        panes.append(pane)
        return pane

    yield make
    for pane in panes:
        pane.close()


@pytest.mark.parametrize("size", [(80, 24), (120, 35), (160, 48)])
def test_raw_tab_keys_reach_every_tab(pane_factory: object, size: tuple[int, int]) -> None:
    width, height = size
    pane = pane_factory(width, height)  # type: ignore[operator]
    pane.wait_for(MARKERS[1])
    rows = pane.wait_for("F1 help").split("\n")
    assert TAB_BAR in rows[0]  # the whole tab bar, Treat included
    assert "F1 help" in rows[height - 1]  # the status bar on the last row
    for i, marker in MARKERS.items():  # the digits: what tmux delivers for them is the byte itself
        pane.send(str(i).encode())
        pane.wait_for(marker)
    for i, marker in reversed(MARKERS.items()):  # alt+digit: ESC then the digit, as tmux sends M-1…M-7
        pane.send(b"\x1b" + str(i).encode())
        pane.wait_for(marker)
    pane.send(b"\x1b[6;5~")  # ctrl+PgDn as tmux 3.x writes it: from Overview to Instances
    pane.wait_for(MARKERS[2])
    for line in pane.text().splitlines():
        assert len(line.rstrip()) <= width


def test_light_theme_on_a_16_colour_terminal_uses_the_terminals_own_colours(pane_factory: object) -> None:
    pane = pane_factory(100, 30, env="TERM=xterm COLORTERM=", settings='theme = "tltui-light"\n')  # type: ignore[operator]
    pane.wait_for(MARKERS[1])
    screen = pane.text(escapes=True)
    # No bright-white background (the Linux console and 8-colour xterms do not draw one, leaving black text on
    # the terminal's own background): the text is in the terminal's default colours on its default background.
    assert "\x1b[107m" not in screen and "\x1b[47m" not in screen
    assert "\x1b[49m" in screen and "\x1b[39m" in screen
