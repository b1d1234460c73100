"""Builds are reproducible: the demo built treat-first equals the demo built analyze-first, bit for bit."""

from __future__ import annotations

import json
from pathlib import Path

BUILT = ("teacher", "scratch", "probe", "finetune")


def _models(workspace: Path) -> dict[str, bytes]:
    """The demo's cached builds (epoch checkpoints included), by file name."""
    return {p.name: p.read_bytes() for p in (workspace / "models" / "demo").glob("*.safetensors")}


def test_treat_first_builds_what_analyze_first_builds(
    tmp_path: Path,
    demo_run: Path,
    isolated_home: Path,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    ws, out = tmp_path / "ws", tmp_path / "treat"
    proc = cli(
        "treat", "demo", "--method", "model-doctor", "--epochs", "1", "--out", str(out), "--device", "cpu",
        "--workspace", str(ws),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]

    first, second = _models(isolated_home), _models(ws)  # analyze-first (the session's demo run), treat-first
    for name in BUILT:
        assert any(n.startswith(f"{name}-") for n in second), f"{name} not built by treat"
    shared = sorted(set(first) & set(second))
    assert {n.split("-")[0] for n in shared} >= set(BUILT), "the cache keys differ between the two orders"
    assert [n for n in shared if first[n] != second[n]] == []

    ran = json.loads((demo_run / "summary.json").read_text())["variants"]
    treated = json.loads((out / "summary.json").read_text())["variants"]
    for name in ("scratch", "probe", "finetune"):
        assert treated[name] == ran[name], name
