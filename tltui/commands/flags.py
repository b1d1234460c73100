"""Flags every command shares, and the flags of a catalogue family generated from its entries' parameters."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

from tltui.base.catalogue import Entry, ParamSpec


def add_common(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    """Flags every command accepts, before or after the command name (`tltui --device cpu analyze …`)."""
    # On subcommands the defaults are suppressed so they cannot overwrite a value given before the command.
    default: dict[str, object] = {} if top else {"default": argparse.SUPPRESS}
    p.add_argument("--device", **({"default": "auto"} if top else default), help="auto | cpu | cuda | cuda:N")
    p.add_argument(
        "--workspace",
        **({"default": None} if top else default),
        help="workspace directory (default: $TLTUI_WORKSPACE or the user data dir)",
    )


def add_job_flags(p: argparse.ArgumentParser) -> None:
    """--detach and --trust-checkpoints."""
    p.add_argument("--detach", action="store_true", help="start the job and return its id at once")
    p.add_argument(
        "--trust-checkpoints",
        action="store_true",
        help="allow .pt/.pth files that need arbitrary unpickling (runs code from the file: only if you trust it)",
    )


def family_specs(entries: Iterable[Entry]) -> dict[str, tuple[ParamSpec, list[str]]]:
    """Each parameter name of a family -> (its spec, the entries taking it), in first-seen order."""
    found: dict[str, tuple[ParamSpec, list[str]]] = {}
    for entry in entries:
        for spec in entry.specs():
            found.setdefault(spec.name, (spec, []))[1].append(entry.name)
    return found


def add_param_flags(p: argparse.ArgumentParser, entries: dict[str, Entry]) -> None:
    """One flag per parameter of the family (text, parsed and checked by the catalogue, so errors say the range)."""
    p.add_argument(
        "--method",
        required=True,
        choices=list(entries),
        help="; ".join(f"{name}: {e.help}" for name, e in entries.items()),
    )
    group = p.add_argument_group("method parameters (each applies to the methods named in brackets)")
    for name, (spec, owners) in family_specs(entries.values()).items():
        group.add_argument(
            spec.flag,
            dest=name,
            default=None,
            metavar=spec.kind.upper() if spec.kind != "list" else "A,B",
            help=f"{spec.describe()} [{', '.join(owners)}]",
        )


def given(args: argparse.Namespace, entries: dict[str, Entry]) -> dict[str, Any]:
    """The family's parameters the user gave on the command line (name -> text)."""
    return {
        name: getattr(args, name)
        for name in family_specs(entries.values())
        if getattr(args, name, None) is not None
    }
