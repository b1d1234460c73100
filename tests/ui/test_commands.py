"""`tltui open` and `tltui serve`: argument handling, errors, and the no-argument path (the demo)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from tests.exits import bad_input_line
from tltui.base.errors import ResultsError, StudyError, TltuiError
from tltui.cli import build_parser, main
from tltui.commands import open as open_cmd
from tltui.commands import serve as serve_cmd
from tltui.ui.app import WorkbenchApp


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch, env: Path) -> list[WorkbenchApp]:
    """Capture the app `open` would run instead of taking over the terminal."""
    apps: list[WorkbenchApp] = []
    monkeypatch.setattr(WorkbenchApp, "run", lambda self, *a, **k: apps.append(self))
    return apps


def test_no_arguments_opens_the_demo(launched: list[WorkbenchApp], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["tltui"])  # cli.main([]) falls back to sys.argv
    assert main([]) == 0
    session = launched[0].session
    assert session.study == "demo" and session.autostart and session.run_dir is None


def test_open_with_run_and_device(launched: list[WorkbenchApp], run_dir: Path) -> None:
    assert main(["open", "demo", "--run", str(run_dir), "--device", "cpu"]) == 0
    session = launched[0].session
    assert session.run_dir == run_dir and session.device == "cpu"


def test_open_refuses_a_run_without_summary(
    tmp_path: Path, launched: list[WorkbenchApp], capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser("open").parse_args(["open", "demo", "--run", str(tmp_path)])
    with pytest.raises(ResultsError):
        open_cmd.run(args)
    status = main(["open", "demo", "--run", str(tmp_path)])
    assert "no summary.json" in bad_input_line(status, capsys.readouterr().err)
    with pytest.raises(StudyError):
        open_cmd.run(argparse.Namespace(study=str(tmp_path / "nope.toml")))
    assert not launched


def test_open_reads_attributes_with_defaults(launched: list[WorkbenchApp]) -> None:
    assert open_cmd.run(argparse.Namespace()) == 0
    assert launched[0].session.study == "demo" and launched[0].session.device == "auto"


def test_serve_refuses_non_loopback_hosts(capsys: Any) -> None:
    args = build_parser("serve").parse_args(["serve", "--host", "0.0.0.0"])
    with pytest.raises(TltuiError, match="refusing"):
        serve_cmd.run(args)
    with pytest.raises(TltuiError):
        serve_cmd.run(build_parser("serve").parse_args(["serve", "--port", "70000"]))
    capsys.readouterr()
    status = main(["serve", "--host", "0.0.0.0"])
    assert "refusing" in bad_input_line(status, capsys.readouterr().err)


def test_serve_runs_open_on_loopback(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    seen: dict[str, Any] = {}

    class FakeServer:
        def __init__(self, command: str, host: str, port: int, title: str) -> None:
            seen.update(command=command, host=host, port=port)

        def serve(self) -> None:
            seen["served"] = True

    monkeypatch.setattr("textual_serve.server.Server", FakeServer)
    assert serve_cmd.run(build_parser("serve").parse_args(["serve", "demo", "--port", "8123"])) == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123 and seen["served"]
    assert "tltui.cli open demo" in seen["command"]
    assert "ssh -L 8123:127.0.0.1:8123" in capsys.readouterr().out
