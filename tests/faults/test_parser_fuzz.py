"""The study parser under a seeded fuzz: every mutant of a valid study is a Study within its documented ranges or
one `tltui:` line (a TltuiError), never a traceback."""

from __future__ import annotations

import dataclasses
import math
import random
from pathlib import Path
from typing import Any

import pytest

from tests.studies import GOOD, study_files
from tltui.base.errors import TltuiError
from tltui.base.study import load_study

HOSTILE = (
    "0", "-1", "1", "2", "1e308", "-1e308", "1e-320", "inf", "-inf", "nan", "0.0", "0.5", "100", "1024", "5000",
    "9223372036854775807", "-9223372036854775808", "4294967296", '""', '"\\u001b[2J\\u001b]0;pwn\\u0007"',
    '"../../etc"', '"[bold red]x"', '"demo"', '"pgd"', '"l2"', '"normalized"', '"remos"', "[]", "[1e308]",
    "[0.5, 0.5, 0.5]", "[-1]", "true", "false", "{}", '{a = 1}', '"torchvision:resnet18"', '"file:x.py:f"',
)  # fmt: skip
EXTRA = (
    "seed", "resize", "crop", "interpolation", "transforms", "limit", "val_fraction", "groups", "favourable",
    "epochs", "build", "norm", "eps_grid", "random_start", "teacher_attack", "name", "zzz",
)  # fmt: skip
TEACHER_TABLE = '[attack.teacher]\npreset = "remos"\neps = 0.1\nalpha = 0.01\nsteps = 40\nspace = "pixel"\n'


def _mutant(rng: random.Random) -> str:
    lines = (GOOD + TEACHER_TABLE).strip().splitlines()
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        what = rng.random()
        if what < 0.55 and " = " in lines[i]:
            key = lines[i].split(" = ")[0]
            lines[i] = f"{key} = {rng.choice(HOSTILE)}"
        elif what < 0.75:
            lines.insert(i + 1, f"{rng.choice(EXTRA)} = {rng.choice(HOSTILE)}")
        elif what < 0.9:
            del lines[i]
        else:
            text = "\n".join(lines)
            return text[: rng.randrange(len(text))]  # cut short: usually not TOML at all
    return "\n".join(lines) + "\n"


def _numbers(obj: Any) -> list[float]:
    if dataclasses.is_dataclass(obj):
        return [n for f in dataclasses.fields(obj) for n in _numbers(getattr(obj, f.name))]
    if isinstance(obj, (list, tuple)):
        return [n for v in obj for n in _numbers(v)]
    if isinstance(obj, (int, float)) and not isinstance(obj, bool):
        return [float(obj)]
    return []


def _sane(study: Any) -> None:
    """What every later stage assumes of an accepted study: finite numbers of sane size, positive budgets."""
    bad = [n for n in _numbers(study) if not math.isfinite(n) or abs(n) > 2**32]
    assert not bad, bad
    a = study.attack
    assert 0 < a.eps <= 100 and 0 < a.alpha <= 100 and 1 <= a.steps <= 10_000
    assert all(1e-3 <= s <= 1e3 for s in study.data.std)


@pytest.mark.parametrize("block", range(4))
def test_mutated_studies_are_a_study_or_one_line(tmp_path: Path, block: int) -> None:
    study_files(tmp_path)
    rng = random.Random(20261206 + block)
    for n in range(75):
        text = _mutant(rng)
        path = tmp_path / f"m{n}.toml"
        path.write_text(text)
        try:
            study = load_study(path)
        except TltuiError as exc:
            assert exc.msg and "\n" not in exc.msg and "Traceback" not in exc.msg, text
            continue
        except Exception as exc:  # pragma: no cover - the failure this test exists to find
            pytest.fail(f"{type(exc).__name__}: {exc}\n--- mutant ---\n{text}")
        _sane(study)
