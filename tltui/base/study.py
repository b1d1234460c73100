"""The study: a TOML file (or the built-in `demo`) parsed once into frozen dataclasses and validated."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from tltui.base.augment import AUGMENTS
from tltui.base.catalogue.attacks import (
    TEACHER_PRESETS,
    AttackParams,
    TeacherAttackParams,
    attack_overrides,
)
from tltui.base.catalogue.checks import ALL_CHECKS
from tltui.base.catalogue.params import ParamSpec, broken_bound, number_text, parse, spec_of, specs
from tltui.base.catalogue.training import MAX_EPOCHS, MAX_SEED, TuningParams
from tltui.base.errors import ParamError, StudyError
from tltui.base.names import RESERVED, check_name, is_name, shown
from tltui.base.study_spec import AttackSpec, ChecksSpec, DataSpec, ModelSpec, Study, TeacherAttackSpec
from tltui.base.tomlcheck import TableReader, check_raw

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

BUILD_RECIPES = ("scratch", "probe", "finetune")
STD_RANGE = (1e-3, 1e3)
"""[data] std bounds: a std outside them makes every normalised input ≈ 0 (or enormous)."""
MAX_CLASSES = 1_000_000
MAX_IMAGES = 2**31 - 1
PREP_KEYS = ("resize", "crop", "interpolation", "transforms", "limit")
INTERPOLATIONS = ("bilinear", "bicubic", "nearest")


def demo_study() -> Study:
    """The built-in demo (docs/demo.md): digits 0–4 teach, digits 5–9 are the target task."""
    arch = "tltui:digitsnet"
    return Study(
        name="demo",
        data=DataSpec(kind="digits", image_size=16, channels=1, mean=(0.5,), std=(0.5,)),
        teacher=ModelSpec(name="teacher", arch=arch, num_classes=5, build="teacher"),
        variants=tuple(ModelSpec(name=b, arch=arch, num_classes=5, build=b) for b in BUILD_RECIPES),
        attack=AttackSpec(
            eps=0.1,
            alpha=0.02,
            steps=10,
            random_start=False,
            eps_grid=(0.0, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2),
        ),
    )


def load_study(ref: str | Path) -> Study:
    """`demo` or a path to a study TOML; every problem is a one-line StudyError naming file and key."""
    if str(ref) == "demo":
        return demo_study()
    path = Path(ref).expanduser()
    if not path.is_file():
        raise StudyError(f"{path}: study file not found (give a path to a .toml file, or `demo`)")
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise StudyError(f"{path}: not a text file") from None
    check_raw(path, raw)
    return _Parser(path.resolve()).study(raw)


class _Parser(TableReader):
    """Validates a parsed TOML dict section by section, naming the file and the key in every error."""

    def study(self, raw: dict[str, Any]) -> Study:
        self.check_keys(
            "study",
            raw,
            {"name", "seed", "data", "teacher", "variants", "attack", "tuning", "checks"},
            {"name"},
        )
        name = check_name(self.get("study", raw, "name", str, None), f"{self.path.name}: name", StudyError)
        seed = self.int_in("study", raw, "seed", 0, 0, MAX_SEED)
        data = self.data(self.table(raw, "data", required=True))
        teacher = self.model("teacher", self.table(raw, "teacher", required=True), teacher=True)
        vraw = raw.get("variants")
        if not isinstance(vraw, list) or not vraw:
            raise StudyError(f"{self.path.name}: needs at least one [[variants]] table")
        variants = tuple(self.model(f"variants.{i}", v, teacher=False) for i, v in enumerate(vraw))
        names = [v.name for v in variants]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise StudyError(f"{self.path.name}: variant names must be unique; repeated: {', '.join(dup)}")
        attack = self.attack(self.table(raw, "attack", required=False))
        tuning = self.tuning(self.table(raw, "tuning", required=False))
        checks = self.checks(self.table(raw, "checks", required=False))
        return Study(
            name=name,
            data=data,
            teacher=teacher,
            variants=variants,
            attack=attack,
            path=self.path,
            seed=seed,
            tuning=tuning,
            checks=checks,
        )

    def checks(self, t: dict[str, Any]) -> ChecksSpec:
        """[checks]: `acknowledge` lists check names (tltui.base.catalogue.checks) or `check:model`."""
        self.check_keys("checks", t, {"acknowledge", "expect_accuracy"}, set())
        given = t.get("acknowledge", [])
        if not isinstance(given, list) or not all(isinstance(a, str) for a in given):
            raise StudyError(
                f'{self.path.name}: [checks] acknowledge must be a list of names, e.g. ["{ALL_CHECKS[0]}"]'
            )
        for item in given:
            check, sep, model = item.partition(":")
            if check not in ALL_CHECKS or (sep and not is_name(model)):
                raise StudyError(
                    f"{self.path.name}: [checks] acknowledge {shown(repr(item))}: give a check "
                    f"({', '.join(ALL_CHECKS)}), optionally as check:model (teacher, a variant or a produced one)"
                )
        expect = t.get("expect_accuracy")
        if expect is not None and (
            isinstance(expect, bool) or not isinstance(expect, (int, float)) or not 0.0 < expect <= 1.0
        ):
            raise StudyError(f"{self.path.name}: [checks] expect_accuracy must be in (0, 1], got {expect!r}")
        return ChecksSpec(acknowledge=tuple(given), expect_accuracy=None if expect is None else float(expect))

    def tuning(self, t: dict[str, Any]) -> TuningParams:
        """[tuning]: the catalogue's `TuningParams`, each key checked by its spec; epochs must be whole."""
        self.check_keys("tuning", t, set(_names(TuningParams)), set())
        values = self.params("tuning", t, TuningParams)
        epochs = values.get("epochs", ())
        if any(e != int(e) for e in epochs):
            raise StudyError(f"{self.path.name}: [tuning] epochs must be whole numbers, got {list(epochs)}")
        values["epochs"] = tuple(float(int(e)) for e in epochs)
        return TuningParams(**values)

    def data(self, t: dict[str, Any]) -> DataSpec:
        allowed = {
            "train",
            "test",
            "source_test",
            "image_size",
            "channels",
            "mean",
            "std",
            "groups",
            "favourable",
            "val_fraction",
            "counterfactuals",
            "augment",
            *PREP_KEYS,
        }
        self.check_keys("data", t, allowed, {"test"})
        val_fraction = float(self.get("data", t, "val_fraction", (int, float), 0.2))
        if not 0.0 <= val_fraction <= 0.5:
            raise StudyError(f"{self.path.name}: [data] val_fraction must be in [0, 0.5], got {val_fraction}")
        channels = self.get("data", t, "channels", int, 3)
        if channels not in (1, 3):
            raise StudyError(f"{self.path.name}: [data] channels must be 1 or 3, got {channels}")
        default_mean = (0.485, 0.456, 0.406)[:channels] if channels == 3 else (0.5,)
        default_std = (0.229, 0.224, 0.225)[:channels] if channels == 3 else (0.5,)
        mean = self.floats("data", t, "mean", default_mean)
        std = self.floats("data", t, "std", default_std)
        for key, vals in (("mean", mean), ("std", std)):
            if len(vals) != channels:
                raise StudyError(f"{self.path.name}: [data] {key} needs {channels} values (one per channel)")
        if not all(STD_RANGE[0] <= s <= STD_RANGE[1] for s in std):
            raise StudyError(
                f"{self.path.name}: [data] std = {list(std)}: each must be in [{STD_RANGE[0]:g}, {STD_RANGE[1]:g}] "
                "(pixel units; outside it every input is ≈ 0 or blown up)"
            )
        size, prep = self.preprocessing(t)
        augment = self.get("data", t, "augment", str, "none")
        if augment not in AUGMENTS:
            raise StudyError(
                f"{self.path.name}: [data] augment must be one of {', '.join(AUGMENTS)}, got {shown(repr(augment))}"
            )
        return DataSpec(
            kind="imagefolder",
            train=self.file("data", t, "train", is_dir=True),
            test=self.file("data", t, "test", is_dir=True),
            source_test=self.file("data", t, "source_test", is_dir=True),
            image_size=size,
            channels=channels,
            mean=mean,
            std=std,
            groups=self.file("data", t, "groups"),
            favourable=self.get("data", t, "favourable", str, None),
            val_fraction=val_fraction,
            counterfactuals=self.file("data", t, "counterfactuals", is_dir=True),
            limit=self.int_in("data", t, "limit", None, 2, MAX_IMAGES),
            augment=augment,
            **prep,
        )

    def preprocessing(self, t: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """image_size and the torchvision-style keys: `crop` is image_size, `resize` the shorter side before it,
        or `transforms` names a torchvision weights whose own evaluation transforms apply."""
        where = f"{self.path.name}: [data]"
        transforms = self.get("data", t, "transforms", str, None)
        if transforms is not None:
            if not re.fullmatch(r"torchvision:\w+_Weights\.\w+", transforms):
                raise StudyError(
                    f"{where} transforms = {shown(repr(transforms))}: give torchvision:<Weights>.<NAME>, "
                    "e.g. 'torchvision:ResNet50_Weights.IMAGENET1K_V2'"
                )
            if {"resize", "crop", "interpolation"} & set(t):
                raise StudyError(f"{where} give transforms or resize/crop/interpolation, not both")
        size = self.int_in("data", t, "image_size", None, 4, 1024)
        crop = self.int_in("data", t, "crop", None, 4, 1024)
        if size is not None and crop is not None and size != crop:
            raise StudyError(f"{where} crop = {crop} and image_size = {size} differ; give one of them")
        size = size or crop or (224 if transforms else 32)
        resize = self.int_in("data", t, "resize", None, 4, 4096)
        if crop is not None and resize is None:
            raise StudyError(f"{where} crop needs resize (the shorter side before the centre crop), e.g. 256")
        if resize is not None and resize < size:
            raise StudyError(
                f"{where} resize = {resize} is smaller than the crop ({size}); the crop would pad"
            )
        interpolation = self.get("data", t, "interpolation", str, "bilinear")
        if interpolation not in INTERPOLATIONS:
            raise StudyError(
                f"{where} interpolation must be one of {', '.join(INTERPOLATIONS)}, got {shown(repr(interpolation))}"
            )
        return size, {"resize": resize, "interpolation": interpolation, "transforms": transforms}

    def model(self, section: str, t: dict[str, Any], *, teacher: bool) -> ModelSpec:
        if not isinstance(t, dict):
            raise StudyError(f"{self.path.name}: [{section}] must be a table")
        allowed = {"arch", "weights", "num_classes"} | (set() if teacher else {"name", "build", "epochs"})
        required = {"arch", "num_classes"} | (set() if teacher else {"name"})
        self.check_keys(section, t, allowed, required)
        num_classes = self.int_in(section, t, "num_classes", None, 2, MAX_CLASSES)
        arch = self.get(section, t, "arch", str, None)
        build = None if teacher else self.get(section, t, "build", str, None)
        weights_rel = t.get("weights")
        if weights_rel is not None:
            weights = self.file(section, t, "weights")
            if build is not None:
                raise StudyError(f"{self.path.name}: [{section}] give either weights or build, not both")
        else:
            weights = None
            scripted = not arch.startswith(
                ("torchvision:", "file:", "tltui:")
            )  # a TorchScript file has weights
            if teacher and not scripted:
                raise StudyError(f"{self.path.name}: [teacher] is missing the required key 'weights'")
            if not teacher and not scripted and build is None:
                raise StudyError(
                    f'{self.path.name}: [{section}] needs weights = "…" or build = '
                    f"{' | '.join(repr(b) for b in BUILD_RECIPES)}"
                )
            if build is not None and build not in BUILD_RECIPES:
                raise StudyError(
                    f"{self.path.name}: [{section}] build must be one of {', '.join(BUILD_RECIPES)}, got {build!r}"
                )
        if not arch.startswith(("torchvision:", "file:", "tltui:")) and not (self.base / arch).is_file():
            raise StudyError(
                f"{self.path.name}: [{section}] arch = {arch!r}: use torchvision:<name>, file:<path.py>:<factory> "
                "or a TorchScript file"
            )
        if arch.startswith("file:"):
            parts = arch.split(":")
            if len(parts) != 3 or not (self.base / parts[1]).is_file():
                raise StudyError(
                    f"{self.path.name}: [{section}] arch = {arch!r}: file not found or not file:<path>:<fn>"
                )
        epochs = None if teacher else self.int_in(section, t, "epochs", None, 0, MAX_EPOCHS)
        name = "teacher" if teacher else self.variant_name(section, t)
        return ModelSpec(
            name=name, arch=arch, num_classes=num_classes, weights=weights, build=build, epochs=epochs
        )

    def variant_name(self, section: str, t: dict[str, Any]) -> str:
        name = check_name(
            self.get(section, t, "name", str, None), f"{self.path.name}: [{section}] name", StudyError
        )
        if name in RESERVED:
            raise StudyError(f"{self.path.name}: [{section}] name = {name!r}: reserved for the teacher")
        return name

    def attack(self, t: dict[str, Any]) -> AttackSpec:
        """[attack]: the catalogue's `AttackParams`, each key checked by its spec."""
        self.check_keys("attack", t, {*_names(AttackParams), "teacher", "teacher_attack"}, set())
        values = self.params("attack", t, AttackParams)
        teacher = self.teacher_attack(t)
        try:
            return AttackSpec(**values, teacher=teacher)
        except ParamError as exc:  # a rule across keys (an L∞ ε above 1)
            raise StudyError(f"{self.path.name}: [attack] {exc.msg}") from None

    def teacher_attack(self, attack: dict[str, Any]) -> TeacherAttackSpec:
        """[attack.teacher] (a preset, then keys over it), or the legacy `teacher_attack = "<name>"`."""
        section = "attack.teacher"
        t = attack.get("teacher", {})
        if not isinstance(t, dict):
            raise StudyError(f"{self.path.name}: 'teacher' in [attack] must be a table [attack.teacher]")
        self.check_keys(section, t, set(_names(TeacherAttackParams)), set())
        given = self.params(section, t, TeacherAttackParams, {"name": "name (or [attack] teacher_attack)"})
        preset = given.get("preset")
        base: dict[str, Any] = {**TEACHER_PRESETS.get(preset or "", {}), "preset": preset}
        if "teacher_attack" in attack:
            name = spec_of(TeacherAttackParams, "name")
            base["name"] = self.value("attack", attack, name, "teacher_attack")
        return TeacherAttackSpec(**{**base, **given})

    def params(
        self, section: str, t: dict[str, Any], cls: type, labels: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The keys of table `t` that are catalogue params of `cls`, each checked by its spec."""
        labels = labels or {}
        return {
            s.name: self.value(section, t, s, s.name, labels.get(s.name)) for s in specs(cls) if s.name in t
        }

    def value(
        self, section: str, t: dict[str, Any], spec: ParamSpec, key: str, label: str | None = None
    ) -> Any:
        """Key `key` of `t` checked against a catalogue spec: its TOML type, its choices, its range; errors name
        it as `label` (default: the key)."""
        if spec.kind == "floats":
            value: Any = self.floats(section, t, key, ())
        else:
            value = self.get(section, t, key, _TOML_TYPES[spec.kind], None)
        where = f"{self.path.name}: [{section}] {label or key}"
        if spec.choices and value not in spec.choices:
            allowed = (
                " or ".join(repr(c) for c in spec.choices)
                if len(spec.choices) == 2
                else "one of " + ", ".join(spec.choices)
            )
            raise StudyError(f"{where} must be {allowed}, got {shown(repr(value))}")
        numbers = value if spec.kind == "floats" else (value,) if spec.kind in ("int", "float") else ()
        for number in numbers:
            bad = broken_bound(spec, number)
            if bad is not None:
                plural = " values" if spec.kind == "floats" else ""
                raise StudyError(
                    f"{where}{plural} {bad}, got {number_text(number)} ({spec.label}: {spec.help})"
                )
        return parse(spec, value, where)


_TOML_TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "float": (int, float),
    "bool": bool,
    "str": str,
}


def _names(cls: type) -> tuple[str, ...]:
    return tuple(s.name for s in specs(cls))


def with_attack(study: Study, overrides: dict[str, Any]) -> Study:
    """`study` with the attack values a job sets over its [attack] (keys of `attack_overrides()`: `eps`, `attack`,
    `teacher_eps`, …; None or absent = the study's), each checked by its catalogue spec like a flag.

    `teacher_preset` first replaces the teacher attack by that preset; the other teacher keys go over it."""
    table = attack_overrides()
    given = {k: v for k, v in overrides.items() if k in table and v is not None}
    if not given:
        return study
    a = study.attack
    teacher = a.teacher
    if "teacher_preset" in given:
        preset = parse(table["teacher_preset"][2], given.pop("teacher_preset"))
        teacher = TeacherAttackSpec(**{**TEACHER_PRESETS[preset], "preset": preset})
    values: dict[str, dict[str, Any]] = {"attack": {}, "teacher": {}}
    for key, value in given.items():
        which, name, spec = table[key]
        values[which][name] = parse(spec, value)
    return replace(
        study, attack=replace(a, **values["attack"], teacher=replace(teacher, **values["teacher"]))
    )


def with_teacher_preset(study: Study, preset: str | None) -> Study:
    """`study` with its teacher attack replaced by a preset (None: unchanged); a one-line error for an unknown one."""
    return with_attack(study, {"teacher_preset": preset})
