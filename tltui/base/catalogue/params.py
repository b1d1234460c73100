"""Parameter fields that describe themselves (label, help, unit, range, choices) and one validator for them."""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from tltui.base.errors import ParamError

_META = "tltui.param"
_MISSING: Any = dataclasses.MISSING


@dataclass(frozen=True)
class ParamSpec:
    """What a user can set: shown as a CLI flag, a form field, and checked the same way everywhere."""

    name: str
    kind: str
    """int | float | str | bool | list (a tuple of names) | floats (a tuple of numbers), both comma-separated."""
    default: Any
    label: str
    help: str
    unit: str = ""
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False
    """None is allowed and means "the method's own default" (an empty box, an absent flag)."""
    layers: str = ""
    """`conv` or `any` when the value names layers of the study's model (checked when they are known)."""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def range_text(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        lo, hi = self._bound(self.lo), self._bound(self.hi)
        if lo and hi:
            return f"in {'(' if self.lo_open else '['}{lo}, {hi}{')' if self.hi_open else ']'}"
        if lo:
            return f"{'>' if self.lo_open else '>='} {lo}"
        if hi:
            return f"{'<' if self.hi_open else '<='} {hi}"
        return ""

    def _bound(self, value: float | None) -> str:
        """A bound as the user would type it: whole for integer fields (4294967245, not 4.29497e+09)."""
        if value is None:
            return ""
        return str(int(value)) if self.kind == "int" else f"{value:g}"

    def default_text(self) -> str:
        """The default as a form box shows it ('' when the method decides)."""
        if self.default is None:
            return ""
        if isinstance(self.default, tuple):
            return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in self.default)
        if isinstance(self.default, float):
            return f"{self.default:g}"
        return str(self.default)

    def describe(self, default: str | None = None) -> str:
        """One line for --help and form hints: help, unit, range and default (`default` says it in words)."""
        bits = [self.help]
        if self.unit:
            bits.append(f"unit: {self.unit}")
        if self.range_text:
            bits.append(self.range_text)
        bits.append(
            f"default: {default or self.default_text() or 'not set (the method or the study decides)'}"
        )
        return "; ".join(bits)


def param(
    default: Any,
    *,
    label: str,
    help: str,
    unit: str = "",
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    choices: Iterable[str] = (),
    layers: str = "",
) -> Any:
    """A dataclass field carrying its own description (see `ParamSpec`).

    `choices` may be a live collection (a catalogue family's dict): its names are read when the specs are, so
    an entry a plugin registers later is a valid choice too."""
    meta = {
        "label": label,
        "help": help,
        "unit": unit,
        "lo": lo,
        "hi": hi,
        "lo_open": lo_open,
        "hi_open": hi_open,
        "choices": choices,
        "layers": layers,
    }
    return dataclasses.field(default=default, metadata={_META: meta})


def fraction(default: float, *, label: str, help: str, lo_open: bool = False, hi_open: bool = True) -> Any:
    """A `param` holding a fraction: in [0, 1), or (0, 1] with `lo_open=True, hi_open=False`."""
    return param(default, label=label, help=help, lo=0.0, hi=1.0, lo_open=lo_open, hi_open=hi_open)


def _kind(hint: Any) -> tuple[str, bool]:
    """(kind, optional) of a field's type hint."""
    args = typing.get_args(hint)
    optional = type(None) in args
    inner = [a for a in args if a is not type(None)] if optional else [hint]
    base = inner[0] if len(inner) == 1 else hint
    origin = typing.get_origin(base)
    if origin is tuple:
        return ("floats" if typing.get_args(base)[:1] == (float,) else "list"), optional
    for kind in (bool, int, float, str):
        if base is kind:
            return kind.__name__, optional
    return "other", optional


def specs(cls: type) -> tuple[ParamSpec, ...]:
    """The described fields of a params dataclass, in declaration order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(_META)
        if meta is None:
            continue
        kind, optional = _kind(hints[f.name])
        live = {**meta, "choices": tuple(meta["choices"])}
        out.append(ParamSpec(f.name, kind, f.default, optional=optional, **live))
    trailing = getattr(cls, "TRAILING", ())  # a base's shared fields, shown after the class's own
    return tuple(sorted(out, key=lambda s: trailing.index(s.name) + 1 if s.name in trailing else 0))


def spec_of(cls: type, name: str) -> ParamSpec:
    for s in specs(cls):
        if s.name == name:
            return s
    raise KeyError(name)


def _convert(spec: ParamSpec, value: Any, where: str) -> Any:
    """`value` (text from a box or a flag, or a typed value from JSON) as the field's type."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.optional:
            return None
        raise ParamError(f"{where}: a value is required ({spec.help})")
    try:
        if spec.kind == "list":
            items = value.split(",") if isinstance(value, str) else list(value)
            names = tuple(str(v).strip() for v in items if str(v).strip())
            return names or (None if spec.optional else ())
        if spec.kind == "floats":
            items = value.split(",") if isinstance(value, str) else list(value)
            if any(isinstance(v, bool) for v in items):
                raise ValueError
            numbers = tuple(float(v) for v in items if str(v).strip())
            if not numbers:
                raise ValueError
            return numbers
        if spec.kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if spec.kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(str(value).strip()) if isinstance(value, str) else int(value)
        if spec.kind == "float":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        return str(value).strip() if spec.kind == "str" else value
    except (TypeError, ValueError):
        kind = "list of numbers" if spec.kind == "floats" else spec.kind
        raise ParamError(f"{where}: {value!r} is not a valid {kind} ({spec.help})") from None


def number_text(value: float) -> str:
    """A number as an error names it: an int whole (1000000000, not 1e+09), a float short."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def broken_bound(spec: ParamSpec, value: float) -> str | None:
    """The bound a finite number breaks, as `must be > 0` (None when it is in range)."""
    if spec.lo is not None and (value <= spec.lo if spec.lo_open else value < spec.lo):
        return f"must be {'>' if spec.lo_open else '≥'} {spec.lo:g}"
    if spec.hi is not None and (value >= spec.hi if spec.hi_open else value > spec.hi):
        return f"must be {'<' if spec.hi_open else '≤'} {spec.hi:g}"
    return None


def check_value(spec: ParamSpec, value: Any, where: str) -> None:
    """Refuse a typed value outside the field's range or choices, in one line."""
    if value is None:
        return
    if spec.choices and value not in spec.choices:
        raise ParamError(f"{where} = {value!r}: choose {spec.range_text}")
    if spec.kind == "floats":
        for one in value:
            check_value(replace(spec, kind="float"), one, f"{where} value")
        return
    if spec.kind in ("int", "float"):
        if not math.isfinite(value):
            raise ParamError(f"{where} = {value}: must be a finite number")
        if broken_bound(spec, value) is not None:
            raise ParamError(
                f"{where} = {number_text(value)}: must be {spec.range_text} ({spec.label}: {spec.help})"
            )


def parse(spec: ParamSpec, value: Any, where: str | None = None) -> Any:
    """Convert and check one value; `where` names it in errors (default: its CLI flag)."""
    where = where or spec.flag
    typed = _convert(spec, value, where)
    check_value(spec, typed, where)
    return typed


def check_layers(spec: ParamSpec, value: Any, layers: list[tuple[str, str]], owner: str) -> Any:
    """A layer parameter checked against the model's (name, kind) layers; lists come back in network order.

    `owner` names the model in the error ("demo's model", "this run")."""
    if not spec.layers or value is None:
        return value
    allowed = [n for n, kind in layers if spec.layers == "any" or kind.startswith("Conv")]
    names = [value] if isinstance(value, str) else list(value)
    where = {n: _position(n, allowed, blocks=spec.layers == "any") for n in names}
    bad = [n for n, at in where.items() if at is None]
    if bad:
        what = "conv layer" if spec.layers == "conv" else "layer"
        raise ParamError(f"{spec.flag} {','.join(bad)}: not a {what} of {owner} (have {', '.join(allowed)})")
    return tuple(sorted(where, key=lambda n: where[n] or 0)) if spec.kind == "list" else value


def _position(name: str, allowed: list[str], *, blocks: bool) -> int | None:
    """Where `name` sits in the network: its index among the known layers; with `blocks`, a module holding some
    of them (`layer3` of a ResNet, whose layers are `layer3.0.conv1` …) sits at its first one."""
    if name in allowed:
        return allowed.index(name)
    if blocks:
        return next((i for i, n in enumerate(allowed) if n.startswith(name + ".")), None)
    return None


def check_all(params: Any) -> None:
    """Check every described field of a params instance (for code that builds one directly)."""
    for spec in specs(type(params)):
        check_value(spec, getattr(params, spec.name), spec.name)


def build(
    cls: type, values: dict[str, Any], *, fields: tuple[str, ...] | None = None, owner: str = "this method"
) -> Any:
    """An instance of params dataclass `cls` from raw values (None or absent = default), every value checked.

    `fields` limits which names may be given (a method's own parameters); any other name is refused."""
    known = {s.name: s for s in specs(cls)}
    allowed = set(fields) if fields is not None else set(known)
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        spec = known.get(name)
        if spec is None or name not in allowed:
            mine = ", ".join(known[n].flag for n in known if n in allowed) or "none"
            flag = spec.flag if spec else "--" + name.replace("_", "-")
            raise ParamError(f"{flag} does not apply to {owner} (its parameters: {mine})")
        if value is None:
            continue
        kwargs[name] = parse(spec, value)
    for spec in known.values():
        if spec.name not in kwargs and spec.default is not _MISSING:
            check_value(spec, spec.default, spec.flag)
    return cls(**kwargs)


def as_json(params: Any) -> dict[str, Any]:
    """A params instance as job parameters: tuples as lists, paths as text."""

    def plain(v: Any) -> Any:
        return (
            [plain(x) for x in v]
            if isinstance(v, (tuple, list))
            else str(v)
            if isinstance(v, PurePath)
            else v
        )

    return {k: plain(v) for k, v in dataclasses.asdict(params).items()}
