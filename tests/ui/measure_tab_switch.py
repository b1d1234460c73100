"""How long a tab switch takes to repaint while an analysis job runs (not run by pytest).

usage: .venv/bin/python tests/ui/measure_tab_switch.py RUN_DIR [ROUNDS]
Opens the workbench on RUN_DIR in a 160x48 tmux pane, starts `tltui analyze demo` as a job in the same workspace
(its models cached from $TLTUI_UI_TEST_WORKSPACE, else trained first), then presses the tab digits and times
each until the new tab's content is on the screen (tmux capture-pane polled; its own cost, ~3 ms, included)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TLTUI = REPO / ".venv" / "bin" / "tltui"
MARKERS = {1: "of its correct answers", 2: "instances", 3: "Saliency and Grad-CAM", 4: "adversarial deviation",
           5: "Method and parameters", 6: "Treatment"}  # fmt: skip


def screen(name: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout


def main() -> None:
    run, rounds = Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 3
    tmp = Path(tempfile.mkdtemp())
    ws = tmp / "ws"
    cached = os.environ.get("TLTUI_UI_TEST_WORKSPACE")
    for part in ("models", "adv") if cached else ():
        if (Path(cached) / part).is_dir():
            shutil.copytree(Path(cached) / part, ws / part)
    env = f"env -u COLUMNS -u LINES TLTUI_WORKSPACE={ws} XDG_CONFIG_HOME={tmp / 'cfg'}"
    name = f"tltui-switch-{os.getpid()}"
    cmd = f"sleep 0.3; {env} {TLTUI} open demo --run {run} --no-autostart"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "160", "-y", "48", cmd, ";",
                    "set-option", "-t", name, "status", "off"], check=True)  # fmt: skip
    try:
        while MARKERS[1] not in screen(name):
            time.sleep(0.05)
        job = ""
        if not os.environ.get("NO_JOB"):  # NO_JOB=1: the same switches with no job running, for comparison
            job = subprocess.run(
                [
                    str(TLTUI),
                    "analyze",
                    "demo",
                    "--out",
                    str(tmp / "out"),
                    "--detach",
                    "--workspace",
                    str(ws),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            print(f"analysis job {job} running")
        times: list[float] = []
        for _ in range(rounds):
            for key in (2, 3, 4, 5, 6, 1):
                t0 = time.perf_counter()
                subprocess.run(["tmux", "send-keys", "-t", name, "-l", str(key)], check=True)
                while MARKERS[key] not in screen(name):
                    time.sleep(0.005)
                times.append((time.perf_counter() - t0) * 1000)
                print(f"  tab {key}: {times[-1]:.0f} ms", flush=True)
        status = subprocess.run([str(TLTUI), "jobs", "show", job, "--workspace", str(ws)], capture_output=True,
                                text=True).stdout if job else ""  # fmt: skip
        still = bool(job) and "running" in status
        print(f"{len(times)} tab switches: median {statistics.median(times):.0f} ms, "
              f"max {max(times):.0f} ms, min {min(times):.0f} ms; analysis still running at the end: {still}")  # fmt: skip
        print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
