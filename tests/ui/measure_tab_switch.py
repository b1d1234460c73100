"""How long a tab switch takes to repaint while an analysis job runs (not run by pytest).

usage: .venv/bin/python tests/ui/measure_tab_switch.py RUN_DIR [ROUNDS] [GAP]
Opens the workbench on RUN_DIR in a 160x48 tmux pane, starts `tltui analyze demo` as a job in the same workspace
(its models cached from $TLTUI_UI_TEST_WORKSPACE, else trained first), then presses the tab digits and times
each until the new tab's content has reached the pane: the pane's output is streamed to a file (`tmux pipe-pane`)
and read as it grows, so the clock stops at the bytes that draw the tab's marker text, and watching costs no
process per poll (polling `capture-pane` every few ms took a core's share from the app it timed). Only switches
made while the analysis was still running are counted (its summary.json is written last).
GAP (default 0.6) is the seconds between a tab showing and the next key, as a user looks at a tab before moving
on; the workbench runs its full garbage-collection passes in such pauses (ui/gcpolicy.py), so GAP 0 (keys
back to back) measures the worst case."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TLTUI = REPO / ".venv" / "bin" / "tltui"
MARKERS = {1: "study: finetune DIR", 2: "instances", 3: "Saliency and Grad-CAM", 4: "adversarial deviation",
           5: "Method and parameters", 6: "Treatment"}  # fmt: skip


ESCAPE = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[@-Z\\-_])")
"""Terminal control sequences (CSI, OSC, charset, single-character escapes): what is left is the drawn text."""


def screen(name: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout


def drawn_since(stream: Path, offset: int) -> str:
    """The text the app has written to its pane since byte `offset`, control sequences removed."""
    with stream.open("rb") as f:
        f.seek(offset)
        return ESCAPE.sub("", f.read().decode("utf-8", errors="replace"))


def main() -> None:
    run, rounds = Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 3
    gap = float(sys.argv[3]) if len(sys.argv) > 3 else 0.6
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
    job = ""
    try:
        while MARKERS[1] not in screen(name):
            time.sleep(0.05)
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
        stream = tmp / "pane.out"
        subprocess.run(["tmux", "pipe-pane", "-t", name, "-o", f"cat >> {stream}"], check=True)
        while not stream.exists():
            time.sleep(0.01)
        done = tmp / "out" / "summary.json"
        times: list[float] = []
        late = 0
        for _ in range(rounds):
            for key in (2, 3, 4, 5, 6, 1):
                time.sleep(gap)
                offset = stream.stat().st_size
                running = bool(job) and not done.exists()
                t0 = time.perf_counter()
                subprocess.run(["tmux", "send-keys", "-t", name, "-l", str(key)], check=True)
                while MARKERS[key] not in drawn_since(stream, offset):
                    time.sleep(0.001)
                took = (time.perf_counter() - t0) * 1000
                if running or not job:
                    times.append(took)
                else:
                    late += 1
                print(
                    f"  tab {key}: {took:.0f} ms" + ("" if running or not job else " (analysis over)"),
                    flush=True,
                )
        what = "while the analysis ran" if job else "with no job"
        print(
            f"{len(times)} tab switches {gap} s apart {what}: median {statistics.median(times):.0f} ms, "
            f"max {max(times):.0f} ms, min {min(times):.0f} ms"
            + (f"; {late} more after it ended" if late else "")
        )
        print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
        if job:  # the analysis would go on loading the machine the next measurement runs on
            subprocess.run([str(TLTUI), "jobs", "cancel", job, "--workspace", str(ws)], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
