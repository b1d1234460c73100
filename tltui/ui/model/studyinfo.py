"""What the explorer shows about a study, from the one study parser (tltui.base.study, torch-free)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tltui.base.errors import StudyError

if TYPE_CHECKING:
    from tltui.base.study_spec import Study

DEMO = "demo"
DEMO_TEACHER = "CNN, digits 0–4"


@dataclass(frozen=True)
class StudyInfo:
    """Name, teacher, variants and data of a study, as text for the explorer."""

    ref: str
    name: str
    teacher: str
    variants: tuple[str, ...]
    data: tuple[str, ...]
    problem: str = ""


def _rel(path: Path | None, base: Path) -> str:
    if path is None:
        return ""
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def describe(study: Study, ref: str) -> StudyInfo:
    """The explorer's text for a parsed study."""
    if study.is_demo:
        return StudyInfo(
            ref,
            "demo (digits)",
            DEMO_TEACHER,
            tuple(study.names),
            ("sklearn digits: 1,797 8×8", "source: digits 0–4", "target: digits 5–9"),
        )
    base = study.base_dir
    t = study.teacher
    teacher = t.arch + (f" ({_rel(t.weights, base)})" if t.weights else "") + f", {t.num_classes} classes"
    d = study.data
    data = [
        f"{key}: {_rel(path, base)}"
        for key, path in (
            ("train", d.train),
            ("test", d.test),
            ("source_test", d.source_test),
            ("groups", d.groups),
        )
        if path is not None
    ]
    data.append(f"images {d.image_size}×{d.image_size}, {d.channels} channel(s)")
    return StudyInfo(ref, study.name, teacher, tuple(study.names), tuple(data))


def read_study(ref: str) -> StudyInfo:
    """Describe the study `ref` ('demo' or a TOML path); a StudyError gives an info with `problem` set."""
    from tltui.base.study import load_study  # the parser loads after the first frame

    try:
        return describe(load_study(ref), ref)
    except StudyError as exc:
        return StudyInfo(ref, Path(ref).stem or ref, "?", (), (), problem=exc.msg)
