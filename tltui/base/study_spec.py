"""What a study is, as frozen dataclasses: its data, models, attacks; parsed and checked by tltui.base.study."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tltui.base.catalogue.attacks import AttackParams, TeacherAttackParams
from tltui.base.catalogue.training import TuningParams
from tltui.base.errors import StudyError
from tltui.base.names import shown
from tltui.base.trust import TRUST_FLAG, runs_code


@dataclass(frozen=True)
class DataSpec:
    """Where the images come from and how they are prepared."""

    kind: str = "imagefolder"
    """`imagefolder` (paths below) or `digits` (the bundled scikit-learn digits of the demo)."""
    train: Path | None = None
    """Student training data (ImageFolder tree root/<class>/<image>)."""
    test: Path | None = None
    """Student test data: every metric is computed on all of it."""
    source_test: Path | None = None
    """Optional source-task data for the teacher's own accuracy."""
    image_size: int = 32
    """Images are image_size × image_size: resized to it (square), or centre-cropped to it after `resize`."""
    resize: int | None = None
    """torchvision-style preprocessing: resize the shorter side to this, then centre-crop image_size ([data] crop);
    None = a plain square resize to image_size."""
    interpolation: str = "bilinear"
    """The resize's interpolation with `resize`: `bilinear`, `bicubic` or `nearest` (torchvision's names)."""
    transforms: str | None = None
    """`torchvision:<Weights>.<NAME>`: that weights' own evaluation transforms (resize, crop, interpolation), read
    from torchvision's metadata; no weights are downloaded."""
    limit: int | None = None
    """Quick looks: each split keeps at most this many images, a seeded stratified sample (None = all)."""
    channels: int = 3
    """1 (grayscale) or 3 (RGB)."""
    mean: tuple[float, ...] = (0.485, 0.456, 0.406)
    std: tuple[float, ...] = (0.229, 0.224, 0.225)
    groups: Path | None = None
    """Optional CSV of instance id → sensitive group (turns on fairness metrics); group 1 is the privileged one."""
    favourable: str | None = None
    """Binary tasks: the favourable class (its folder name) for SPD/EOD/AAOD; None = the second class."""
    counterfactuals: Path | None = None
    """FMT's attribute flip for a study's own data: a tree like `train` whose `<class>/<image>` is that training
    image with the sensitive attribute flipped (images without one are left out of the pairs)."""
    augment: str = "none"
    """How every training job on this data augments its batches (tltui/base/augment.py): `none` or `crop-flip`."""
    val_fraction: float = 0.2
    """Share of the training data set aside (seeded, stratified) as the validation split: every choice tltui makes
    or tunes reads it; nothing trains on it; test data serve only the reported numbers. 0 = none."""


@dataclass(frozen=True)
class ModelSpec:
    """A teacher or a variant: how to build it and where its weights are."""

    name: str
    arch: str
    num_classes: int
    weights: Path | None = None
    """Weights file (.safetensors, or a .pt/.pth state_dict loaded weights-only); None = built by tltui."""
    build: str | None = None
    """For variants without weights: `scratch`, `probe` or `finetune`, trained on [data].train."""
    epochs: int | None = None
    """Training epochs for a built variant (None = the recipe's default)."""

    @property
    def runs_code(self) -> bool:
        """Whether building it runs code from the user's files: a `file:` factory or a TorchScript archive."""
        return runs_code(self.arch)


@dataclass(frozen=True)
class ChecksSpec:
    """[checks]: what the study expects and which findings it accepts knowingly (docs/checks.md)."""

    acknowledge: tuple[str, ...] = ()
    """Findings shown as acknowledged, not as warnings: a check's name (every model) or `check:model`."""
    expect_accuracy: float | None = None
    """The clean accuracy the study expects of its models; `clean-accuracy` fires 10 points below it."""


AttackSpec = AttackParams
"""The study's [attack]: the catalogue's params (tltui.base.catalogue.attacks), the one description of its keys."""
TeacherAttackSpec = TeacherAttackParams
"""The study's [attack.teacher]."""


@dataclass(frozen=True)
class Study:
    """A whole study: data, teacher, variants, attack."""

    name: str
    data: DataSpec
    teacher: ModelSpec
    variants: tuple[ModelSpec, ...]
    attack: AttackSpec = field(default_factory=AttackSpec)
    path: Path | None = None
    """The TOML file (None for the built-in demo)."""
    seed: int = 0
    tuning: TuningParams = field(default_factory=TuningParams)
    """[tuning]: the grid `--tune-baseline` searches on the validation split."""
    checks: ChecksSpec = field(default_factory=ChecksSpec)
    """[checks]: acknowledged findings and the expected accuracy (docs/checks.md)."""

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def is_demo(self) -> bool:
        return self.data.kind == "digits"

    def variant(self, name: str) -> ModelSpec:
        for v in self.variants:
            if v.name == name:
                return v
        raise StudyError(f"study '{self.name}': no variant named '{name}' (have {', '.join(self.names)})")

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variants]

    def code_archs(self) -> list[ModelSpec]:
        """The teacher and variants whose `arch` runs code from a user's file (they need the trust flag)."""
        return [m for m in (self.teacher, *self.variants) if m.runs_code]

    def check_trust(self, trust: bool) -> None:
        """A one-line StudyError unless every code-running arch is trusted (`--trust-code`)."""
        found = self.code_archs()
        if found and not trust:
            m = found[0]
            raise StudyError(
                f"{self.path.name if self.path else self.name}: {m.name} arch = {shown(repr(m.arch))} runs "
                f"code from that file when loaded; pass {TRUST_FLAG} if you trust its author"
            )
