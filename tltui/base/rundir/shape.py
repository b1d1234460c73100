"""The shape of summary.json as types: every block the core writes and the UI, CLI and scripts read.

These are the JSON objects themselves (TypedDicts: plain dicts at run time, fields mypy sees), so a summary
reads and writes with the JSON module alone. Keys a reader may not find (an older run, an optional feature) are
`NotRequired`; readers go through `tltui.base.rundir.summary.RunSummary` and the `Metric`s of `.metrics`.
docs/interfaces.md#summary-json lists which keys are stable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from tltui.base.rundir.shape_interval import IntervalBlock

if TYPE_CHECKING:  # annotations only (postponed): no run-time dependency
    from typing_extensions import NotRequired

    from tltui.base.rundir.shape_attacks import AutoAttackBlock, ChecksBlock, LadderBlock
    from tltui.base.rundir.shape_timeline import TimelineBlock


class FairnessMetrics(TypedDict):
    """A variant's fairness block (docs/metrics.md#fairness); `favourable` only for a binary task."""

    accuracy: float
    macro_f1: float
    spd: float | None
    eod: float | None
    aaod: float | None
    scheme: str
    """`binary` or `one-vs-rest`."""
    favourable: NotRequired[int]


class VariantIntervals(TypedDict):
    """A variant's accuracy and DIR with a paired bootstrap interval over the test images."""

    aoi: IntervalBlock
    dir: IntervalBlock


class BootstrapBlock(TypedDict):
    """How every interval of the run was resampled: the replicates and the bootstrap's own seed."""

    n_boot: int
    seed: int


class VariantMetrics(TypedDict):
    """A variant's metrics (docs/metrics.md); `.metrics.METRICS` names the table's ones."""

    aoi: float
    aai: float
    dr: float
    robust: float
    macro_f1: float
    macro_recall: float
    dir: float | None
    eps_curve: list[list[float]]
    """[[ε, accuracy under the white-box attack], …], ε = 0 (the clean accuracy) first."""
    teacher_adv_acc: NotRequired[float]
    fairness: NotRequired[FairnessMetrics]
    """When the study has groups (or is the demo)."""
    intervals: NotRequired[VariantIntervals]
    """Runs written since issue 21; with the summary's `bootstrap`."""


class TeacherInfo(TypedDict):
    source_acc: float | None
    """The teacher's accuracy on its own task's test data (None without `[data] source_test`)."""


class BudgetBlock(TypedDict):
    """The budget an attack ran (tltui.base.budget.run_budget): steps (None for a query-based attack) or
    queries per input, restarts, and whether it started at a random point of the ε ball."""

    steps: int | None
    queries: int | None
    restarts: int
    random_start: bool


class AttackBlock(TypedDict):
    """The white-box attack of every variant (the study's `[attack]`)."""

    name: str
    eps: float
    alpha: float
    steps: int
    random_start: bool
    norm: NotRequired[str]
    budget: NotRequired[BudgetBlock]
    """What it ran (runs written since issue 22); `steps` and `random_start` above are what the study asked."""


class TeacherAttackBlock(TypedDict):
    """The attack that crafts the teacher-crafted inputs (`[attack.teacher]` and its configuration)."""

    name: str
    preset: str | None
    space: str
    eps: float
    alpha: float
    steps: int
    random_start: bool
    norm: str
    scale: list[float] | None
    budget: NotRequired[BudgetBlock]
    """What it ran (runs written since issue 22)."""


class LayerRow(TypedDict):
    """One layer of the teacher (docs/levels.md#layers); the maps are per variant (`adv_deviation`: per model,
    the teacher too)."""

    name: str
    kind: NotRequired[str]
    weight_change: dict[str, float | None]
    cosine: NotRequired[dict[str, float | None]]
    adv_deviation: dict[str, float | None]
    coverage: float | None
    mean_coverage: NotRequired[float | None]


class FairnessInfo(TypedDict):
    """How the run split its test set into groups (None in summary.json when fairness is off)."""

    attribute: str
    threshold: float | None
    n_group1: int
    privileged_group: int
    scheme: str
    favourable: str | None


class TuningCandidate(TypedDict):
    lr: float
    epochs: int | None
    """None: the method's own epochs."""
    val_accuracy: float


class TuningRecord(TypedDict):
    """How `--tune-baseline` chose the recipe (tltui.core.tune): the grid, every candidate's validation accuracy
    and the choice that both the method and its baseline trained with."""

    trained: str
    """The entry each candidate trained (the method's baseline, e.g. finetune)."""
    seed: int
    split: str
    """`validation`: the study's val_fraction of the training images, never the test set."""
    n_val: int
    grid: dict[str, list[float]]
    candidates: list[TuningCandidate]
    chosen: TuningCandidate


class RecipeRecord(TypedDict):
    """The training recipe a produced variant's comparison shares (tltui.core.recipes, docs/sweeps.md): the same
    for a method and its matched baseline."""

    source: str
    """The build recipe (`finetune`, `scratch`) or treatment whose schedule it is."""
    optimizer: str
    lr: float
    head_lr: float | None
    epochs: int
    momentum: float
    weight_decay: float
    batch_size: int
    lr_schedule: str
    """`constant`: no decay (tltui.core.train)."""
    augmentation: str
    """`none`: the training images as they are."""


class MaskRecord(TypedDict):
    """SeaM's learnt mask (tltui.core.mitigate.seam): what it keeps of the teacher's conv weights and biases."""

    kept: float
    masked: int
    """How many parameters the mask covers."""
    epochs: int
    stop: str
    """`threshold`, `early stop` or `epochs`: why the mask search ended."""
    val_acc: float


class DerivedRecord(TypedDict):
    """A produced variant's record (mitigation, treatment), as stored with its weights."""

    name: str
    arch: str
    num_classes: int
    created: float
    kind: str
    """`mitigation` or `treatment`."""
    method: str
    base: str | None
    params: dict[str, Any]
    role: NotRequired[str]
    """`method` or `baseline`, for the variants of a `--seeds` run, with `group` and `seed`."""
    group: NotRequired[str]
    seed: NotRequired[int]
    tuning: NotRequired[TuningRecord]
    """How the recipe was tuned (`--tune-baseline`)."""
    checkpoint: NotRequired[dict[str, Any]]
    """A checkpoint picked along a run's timeline (`keep_best`): the run (`of`), its `step` and `epoch`."""
    recipe: NotRequired[RecipeRecord]
    """The recipe of its comparison (absent: a plugin's method, or weights of unknown recipe)."""
    mask: NotRequired[MaskRecord]
    """SeaM's mask: the fraction of the teacher's conv weights it kept before the fine-tuning."""


class ProducedRecord(DerivedRecord):
    """The record of the variant a `mitigate` / `treat` run produced, and the names of all it produced."""

    names: list[str]


class Spread(TypedDict):
    values: list[float]
    n: int
    mean: float | None
    sd: float | None
    min: float | None
    max: float | None


class Paired(Spread):
    """The method minus its baseline, per seed."""

    ci95: list[float] | None
    within_noise: bool | None
    """Whether the t interval contains 0; None when no claim can be made (tltui.base.verdict)."""
    verdict: NotRequired[str]
    """`more seeds needed`, `within noise` or `beyond noise` (tltui.base.verdict)."""


class GroupInterval(IntervalBlock):
    """A seed group's mean difference to its matched baselines with the interval over seeds and images
    (tltui.base.intervals.group_delta), its verdict and the variance components."""

    verdict: str
    n_seeds: int
    seed_sd: float
    image_se: float


class SeedMetric(TypedDict):
    method: Spread
    baseline: Spread
    delta: Paired
    group: NotRequired[GroupInterval]
    """For accuracy and DIR, when the per-image outcomes of every pair were at hand."""


class SeedPair(TypedDict):
    seed: int
    variant: str
    baseline: str | None


class SeedBlock(TypedDict):
    """A `--seeds` run's statistics (tltui.base.seedstats): per metric key, the method against its baseline."""

    method: str
    baseline: str | None
    seeds: list[int]
    pairs: list[SeedPair]
    metrics: dict[str, SeedMetric]


class SweepPoint(TypedDict):
    """One value of a recipe sweep: the method's and its matched baseline's seed groups there, paired."""

    value: dict[str, float]
    """The recipe parameters at this point (`lr`, `epochs`)."""
    group: str
    """The method's seed group (its variants `<group>-s<seed>`)."""
    seeds: SeedBlock
    holds: bool | None
    """Whether the method's DIR is below its baseline's beyond noise here (the group interval's upper end below
    0); None without a group interval."""


class SweepRecord(TypedDict):
    """A `tltui sweep` run (tltui.base.sweep, docs/sweeps.md): the grid, each point, and the one verdict line."""

    method: str
    baseline: str | None
    grid: dict[str, list[float]]
    points: list[SweepPoint]
    verdict: str
    """`holds` (at every value), `in part` (naming where) or `nowhere`: the first word of `line`."""
    line: str


class SeedGroup(SeedBlock):
    """A `--seeds` group found among a run's produced variants (tltui.base.seedstats.seed_groups)."""

    group: str


class Summary(TypedDict):
    """summary.json, in the order the writer writes its keys."""

    format: NotRequired[int]
    """Absent in runs written before the format version existed (read as format 1)."""
    study: str
    device: str
    variants: dict[str, VariantMetrics]
    teacher: NotRequired[TeacherInfo]
    attack: NotRequired[AttackBlock]
    teacher_attack: NotRequired[TeacherAttackBlock]
    layers: NotRequired[list[LayerRow]]
    derived: NotRequired[dict[str, DerivedRecord]]
    fairness: NotRequired[FairnessInfo | None]
    n_test: int
    classes: list[str]
    ids: NotRequired[list[str]]
    seconds: NotRequired[float]
    bootstrap: NotRequired[BootstrapBlock]
    """With the variants' `intervals` (runs written since issue 21)."""
    produced: NotRequired[ProducedRecord]
    seeds: NotRequired[SeedBlock]
    tuning: NotRequired[TuningRecord]
    sweep: NotRequired[SweepRecord]
    warnings: NotRequired[list[str]]
    """One line each, shown by the CLI and the workbench (e.g. an undertrained baseline)."""
    checks: NotRequired[ChecksBlock]
    """Runs written since issue 22: the pre-flight checks and after-attack flags (docs/checks.md)."""
    timeline: NotRequired[TimelineBlock]
    """Accuracy and DIR along each training run (`--timeline N`)."""
    autoattack: NotRequired[AutoAttackBlock]
    """With `[attack] preset = "autoattack"` (docs/attacks.md#the-autoattack-preset)."""
    dir_ladder: NotRequired[LadderBlock]
    """With `[attack] ladder = true` (docs/metrics.md#the-dir-ladder)."""
