"""`tltui open STUDY [--run DIR]`: the workbench on a study (also what plain `tltui` runs, on the demo)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tltui.base.errors import ResultsError, StudyError
from tltui.base.rundir import SUMMARY


def add_parser(subparsers: Any) -> None:
    from tltui.commands.flags import add_common, add_trust_flag

    p = subparsers.add_parser("open", help="open the workbench on a study (path to TOML, or `demo`)")
    p.add_argument("study", nargs="?", default="demo", help="study TOML file or `demo` (default: demo)")
    p.add_argument("--run", default=None, metavar="DIR", help="show this run directory (has summary.json)")
    p.add_argument(
        "--no-autostart",
        action="store_true",
        help="do not start the demo analysis automatically when no finished run exists",
    )
    add_trust_flag(p)
    add_common(p)


def run(args: argparse.Namespace) -> int:
    study = str(getattr(args, "study", None) or "demo")
    run_dir = getattr(args, "run", None)
    if study != "demo" and not Path(study).expanduser().is_file():
        raise StudyError(f"{study}: no such study file (give a study TOML or `demo`)")
    if not getattr(args, "trust_code", False) and study != "demo":
        from tltui.base.study import load_study

        try:
            parsed = load_study(study)
        except StudyError:
            parsed = None  # an invalid study is the workbench's to show
        if parsed is not None:
            parsed.check_trust(False)
    if run_dir is not None and not (Path(run_dir).expanduser() / SUMMARY).is_file():
        raise ResultsError(f"{run_dir}: no {SUMMARY} there; point --run at a directory `tltui analyze` wrote")
    from tltui.ui.gcpolicy import COLLECTOR

    COLLECTOR.begin()  # no collection pass before the first frame, full ones in pauses between keys
    try:
        _open(study, run_dir, args)
    finally:
        COLLECTOR.end()
    return 0


def _open(study: str, run_dir: str | None, args: argparse.Namespace) -> None:
    # Imported here so `tltui --help` and the other commands never pay for Textual.
    from tltui.ui.app import WorkbenchApp
    from tltui.ui.keys import load_keymap
    from tltui.ui.model.jobs_client import JobsClient
    from tltui.ui.model.session import Session
    from tltui.ui.model.settings import load_settings

    session = Session(
        study=study if study == "demo" else str(Path(study).expanduser().resolve()),
        device=str(getattr(args, "device", None) or "auto"),
        jobs=JobsClient(getattr(args, "workspace", None)),
        run_dir=Path(run_dir).expanduser() if run_dir else None,
        autostart=False if getattr(args, "no_autostart", False) else None,
        trust=bool(
            getattr(args, "trust_code", False)
        ),  # passed in each job's parameters, not the environment
    )
    WorkbenchApp(session, load_settings(), keymap=load_keymap()).run()
