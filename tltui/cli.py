"""The `tltui` command line: a thin dispatcher over one module per command in tltui.commands."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from tltui import __version__
from tltui.base.devicespec import check_device
from tltui.base.env import check_env
from tltui.base.errors import TltuiError
from tltui.base.names import shown

# Command name -> (module, one-line help). Each module has add_parser(subparsers) and run(args) -> int and imports
# nothing heavy at the top; only the chosen command's module is imported (start-up time of the workbench).
COMMANDS: dict[str, tuple[str, str]] = {
    "open": ("tltui.commands.open", "open the workbench on a study (path to TOML, or `demo`)"),
    "analyze": ("tltui.commands.analyze", "headless full diagnosis; writes DIR/summary.json"),
    "mitigate": ("tltui.commands.mitigate", "produce a mitigated variant and diagnose it with the others"),
    "treat": ("tltui.commands.treat", "treat a variant (Model Doctor, Dare, FMT) and diagnose it"),
    "localise": ("tltui.commands.localise", "layer interventions: which layers carry the inherited weakness"),
    "sweep": (
        "tltui.commands.sweep",
        "a method against its matched baseline at each value of a recipe parameter",
    ),
    "report": ("tltui.commands.report", "report.md and pareto.svg: which method removes the inheritance"),
    "jobs": ("tltui.commands.jobs", "list, show, cancel and follow jobs"),
    "serve": ("tltui.commands.serve", "the workbench in a browser, bound to 127.0.0.1"),
    "bench": ("tltui.commands.bench", "the performance benchmark (ours vs torchattacks, same process)"),
    "cache": (
        "tltui.commands.cache",
        "the workspace's caches (adversarial sets, decoded images): list, size, prune",
    ),
}
_VALUED = {"--device", "--workspace"}


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command named in `argv` (skipping the values of the global flags), or None."""
    skip = False
    for tok in argv:
        if skip:
            skip = False
        elif tok in _VALUED:
            skip = True
        elif tok in COMMANDS:
            return tok
        elif not tok.startswith("-"):
            return None
    return None


class Parser(argparse.ArgumentParser):
    """argparse with the house error format: one `tltui: …` line and status 2 (usage is in --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"tltui: {self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only `command`'s module is imported, the others are listed by name and help."""
    from tltui.commands.flags import add_common  # here, in main's handler: it loads $TLTUI_PLUGINS

    parser = Parser(prog="tltui", description="Defect inheritance in transfer learning.")
    parser.add_argument("--version", action="version", version=f"tltui {__version__}")
    add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (modname, text) in COMMANDS.items():
        if name == command:
            importlib.import_module(modname).add_parser(sub)
        else:
            sub.add_parser(name, help=text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = chosen_command(argv) or "open"  # plain `tltui` opens the demo
    try:
        args = build_parser(command).parse_args(argv)
        if args.workspace:
            os.environ["TLTUI_WORKSPACE"] = args.workspace
        check_env()  # a bad environment value is refused before anything starts
        check_device(getattr(args, "device", None))  # and a misspelt --device, before any job
        from tltui.base.workspace import resolve_workspace

        resolve_workspace(args.workspace)  # and a workspace that cannot be one
        return int(importlib.import_module(COMMANDS[command][0]).run(args) or 0)
    except TltuiError as exc:
        print(f"tltui: {exc.title.lower()}: {shown(exc.msg)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tltui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `tltui jobs list | head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the system refused a file (permissions, full disk) somewhere no layer expected
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"tltui: cannot access: {shown(where)}{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
