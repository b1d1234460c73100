"""Flags every command shares, and the flags of a catalogue family generated from its entries' parameters."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

from tltui.base.catalogue import Entry, ParamSpec, RunParams, specs
from tltui.base.catalogue.attacks import attack_overrides
from tltui.base.catalogue.mitigation import OLD_FLAGS
from tltui.base.trust import TRUST_ALIAS, TRUST_FLAG


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
    """--detach and --trust-code (alias --trust-checkpoints)."""
    p.add_argument("--detach", action="store_true", help="start the job and return its id at once")
    add_trust_flag(p)


def add_trust_flag(p: argparse.ArgumentParser) -> None:
    """--trust-code (its old name --trust-checkpoints still works): run code from the study's files."""
    p.add_argument(
        TRUST_FLAG,
        TRUST_ALIAS,
        dest="trust_code",
        action="store_true",
        help="allow inputs that run code from their files: `file:` architectures, TorchScript archives and "
        ".pt/.pth files that need arbitrary unpickling (only if you trust their author)",
    )


def add_run_flags(p: argparse.ArgumentParser) -> None:
    """The flags of how a diagnosis runs (the catalogue's RunParams), checked like every parameter."""
    for spec in specs(RunParams):
        if spec.kind != "bool":
            p.add_argument(
                spec.flag, dest=spec.name, default=None, metavar=spec.kind.upper(), help=spec.describe()
            )


def add_attack_flags(p: argparse.ArgumentParser) -> None:
    """One flag per attack parameter (`--eps`, `--teacher-eps`, …), over the study's [attack] for this job."""
    group = p.add_argument_group("attack (over the study's [attack] and [attack.teacher], for this job)")
    for key, (_which, _field, spec) in attack_overrides().items():
        if spec.kind == "bool":
            group.add_argument(
                spec.flag,
                dest=key,
                default=None,
                action=argparse.BooleanOptionalAction,
                help=_study_default(spec),
            )
        else:
            metavar = "X,Y" if spec.kind == "floats" else spec.kind.upper()
            group.add_argument(spec.flag, dest=key, default=None, metavar=metavar, help=_study_default(spec))


def _study_default(spec: ParamSpec) -> str:
    return spec.describe(default="the study's") if spec.default is not None else spec.describe()


def attack_given(args: argparse.Namespace) -> dict[str, Any]:
    """The attack flags given on the command line (key -> text or bool)."""
    return {k: getattr(args, k) for k in attack_overrides() if getattr(args, k, None) is not None}


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
    found = family_specs(entries.values())
    for name, (spec, owners) in found.items():
        help = f"{spec.describe()} [{', '.join(owners)}]"
        if spec.kind == "bool":  # a switch, like the attack's: --tune-baseline / --no-tune-baseline
            group.add_argument(
                spec.flag, dest=name, default=None, action=argparse.BooleanOptionalAction, help=help
            )
            continue
        group.add_argument(
            spec.flag,
            dest=name,
            default=None,
            metavar=spec.kind.upper() if spec.kind != "list" else "A,B",
            help=help,
        )
    for old, name in OLD_FLAGS.items():
        if name in found:
            group.add_argument("--" + old.replace("_", "-"), dest=name, default=None, help=argparse.SUPPRESS)


def given(args: argparse.Namespace, entries: dict[str, Entry]) -> dict[str, Any]:
    """The family's parameters the user gave on the command line (name -> text)."""
    return {
        name: getattr(args, name)
        for name in family_specs(entries.values())
        if getattr(args, name, None) is not None
    }
