"""`tltui serve`: the workbench in a browser through textual-serve, bound to 127.0.0.1 only."""

from __future__ import annotations

import argparse
import shlex
import socket
import sys
from typing import Any

from tltui.base.errors import TltuiError
from tltui.base.trust import TRUST_FLAG

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def add_parser(subparsers: Any) -> None:
    from tltui.commands.flags import add_common, add_trust_flag

    p = subparsers.add_parser("serve", help="the workbench in a browser (textual-serve), on 127.0.0.1 only")
    p.add_argument("study", nargs="?", default="demo", help="study TOML file or `demo` (default: demo)")
    p.add_argument("--run", default=None, metavar="DIR", help="show this run directory")
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    p.add_argument(
        "--host", default="127.0.0.1", help="only loopback is accepted (there is no authentication)"
    )
    add_trust_flag(p)
    add_common(p)


def command_line(args: argparse.Namespace) -> str:
    """The `tltui open ...` command each browser session runs."""
    parts = [sys.executable, "-m", "tltui.cli"]
    if getattr(args, "workspace", None):
        parts += ["--workspace", str(args.workspace)]
    parts += [
        "open",
        str(getattr(args, "study", "demo") or "demo"),
        "--device",
        str(getattr(args, "device", "auto")),
    ]
    if getattr(args, "run", None):
        parts += ["--run", str(args.run)]
    if getattr(args, "trust_code", False):
        parts += [TRUST_FLAG]
    return shlex.join(parts)


def check_port(port: int) -> None:
    """A one-line error unless 127.0.0.1:`port` can be bound now (checked before "serving on" is printed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise TltuiError(
                f"127.0.0.1:{port}: cannot listen there ({exc.strerror}); choose another with --port",
                title="Port unavailable",
            ) from None


def run(args: argparse.Namespace) -> int:
    host = str(getattr(args, "host", "127.0.0.1"))
    port = int(getattr(args, "port", 8000))
    if host not in LOOPBACK:
        raise TltuiError(
            f"refusing to bind {host}: textual-serve has no authentication; use 127.0.0.1 and an SSH tunnel",
            title="Unsafe host",
        )
    if not 0 < port < 65536:
        raise TltuiError(f"port {port} is not in 1..65535", title="Invalid port")
    try:
        from textual_serve.server import Server
    except ImportError:
        raise TltuiError(
            "textual-serve is not installed: pip install 'tltui[serve]'", title="Missing"
        ) from None
    check_port(port)
    print(
        f"tltui: serving on http://127.0.0.1:{port}  (from your machine: ssh -L {port}:127.0.0.1:{port} <this host>)"
    )
    Server(command_line(args), host="127.0.0.1", port=port, title="tltui").serve()
    return 0
