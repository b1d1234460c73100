"""The shape of summary.json as types: every block the core writes and the UI, CLI and scripts read.

These are the JSON objects themselves (TypedDicts: plain dicts at run time, fields mypy sees), so a summary
reads and writes with the JSON module alone. Keys a reader may not find (an older run, an optional feature) are
`NotRequired`; readers go through `tltui.base.rundir.summary.RunSummary` and the `Metric`s of `.metrics`.
docs/interfaces.md#summary-json lists which keys are stable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:  # annotations only (postponed): no run-time dependency
    from typing_extensions import NotRequired


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


class IntervalBlock(TypedDict):
    """An estimate with its 95 % interval (`tltui.base.rundir.interval.Interval.as_json`, docs/intervals.md)."""

    value: float
    lo: float
    hi: float
    includes: str
    """`images` (test-set sampling) or `seeds+images` (seed variance and test-set sampling)."""


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


class AutoAttackStage(TypedDict):
    """One attack of the AutoAttack preset on one variant (tltui.core.attacks.autoattack): its budget, the
    accuracy left after it (it and every earlier one, per image), and what it spent."""

    name: str
    """`apgd-ce`, `apgd-t`, `fab-t` or `square`, in that order."""
    iterations: int
    """Iterations (Square: queries)."""
    restarts: int
    targets: int
    """Target classes (APGD-T, FAB-T), 0 for the untargeted ones."""
    queries: int
    """Its budget in model calls per image: iterations × restarts × targets (Square: its queries)."""
    robust_acc: float
    attacked: int
    """The images it ran on: those every earlier attack left right."""
    queries_spent: float
    """Images forwarded per attacked image, measured (a gradient iteration forwards once, FAB's twice)."""
    seconds: float
    skipped: NotRequired[str]
    """Why it did not run (APGD-T needs 4 classes)."""


class AutoAttackVariant(TypedDict):
    """A variant under the AutoAttack preset: clean accuracy, and robust accuracy per attack and overall."""

    clean_acc: float
    robust_acc: float
    """Images right under every attack (the per-image worst case), over all test images."""
    attacks: list[AutoAttackStage]


class AutoAttackBlock(TypedDict):
    """The AutoAttack preset's protocol (`[attack] preset = "autoattack"`) and every variant's result."""

    preset: str
    eps: float
    norm: str
    steps: int
    restarts: int
    targets: int
    queries: int
    seed: int
    variants: dict[str, AutoAttackVariant]


class LadderRung(TypedDict):
    """One teacher-only attack of the DIR ladder (tltui.core.ladder): its budget, runtime, and each variant's
    DIR under it with a bootstrap interval over the test images."""

    name: str
    objective: str
    space: str
    """`features` (the teacher's penultimate features) or `logits` (its own classifier)."""
    eps: float
    alpha: float
    steps: int
    restarts: int
    random_start: bool
    norm: str
    scale: list[float] | None
    seconds: float
    cached: bool
    """Read from the adversarial cache (then `seconds` is the read, not the attack)."""
    variants: dict[str, IntervalBlock]


class LadderWorst(TypedDict):
    """A variant's headline DIR on the ladder: the rung with the highest DIR, and the per-image union."""

    rung: str
    value: IntervalBlock
    any_rung: IntervalBlock
    """Right answers turned wrong by at least one rung (an upper bound: the attacker cannot tell which)."""


class LadderBlock(TypedDict):
    """The DIR ladder (`[attack] ladder = true`): rungs weakest first, and each variant's worst case."""

    rungs: list[LadderRung]
    worst: dict[str, LadderWorst]


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


class SeedGroup(SeedBlock):
    """A `--seeds` group found among a run's produced variants (tltui.base.seedstats.seed_groups)."""

    group: str


class CheckFinding(TypedDict):
    """What one check found on one model (docs/checks.md): the check's name, the model (None: the study), a
    one-line message, and whether the study acknowledged it (`[checks] acknowledge`)."""

    check: str
    stage: str
    """`pre-flight` (before any attack) or `after-attack` (a flag on the attack's results)."""
    model: str | None
    message: str
    acknowledged: bool


class ChecksBlock(TypedDict):
    """The checks a run made (tltui.core.checks): which ran, on how many inputs, what they found, their cost."""

    ran: list[str]
    models: list[str]
    sample: int
    """Inputs per model the pre-flight checks read (a seeded stratified sample of the test set)."""
    findings: list[CheckFinding]
    acknowledged: list[str]
    """`[checks] acknowledge` of the study: `check` or `check:model`."""
    seconds: float
    """Wall time of the pre-flight checks and the after-attack flags together."""


class TimelinePoint(TypedDict):
    """One evaluation along a training run: after `step` optimiser steps (`epoch` = step / steps per epoch)."""

    step: int
    epoch: float
    val_accuracy: float | None
    val_dir: float | None
    """DIR on the validation split (teacher-crafted validation inputs): what the checkpoint is chosen by."""
    test_accuracy: float
    test_dir: float


class TimelineRun(TypedDict):
    """One trained variant's timeline (tltui.core.timeline)."""

    variant: str
    method: str
    role: str
    """`method` or `baseline` (a single-seed run: `method`)."""
    group: str
    seed: int
    points: list[TimelinePoint]
    chosen: int | None
    """Index into `points` of the checkpoint the selection rule picks on validation (None without a split)."""
    kept: NotRequired[str]
    """The variant that checkpoint was saved as (`keep_best`)."""
    hypervolume: float
    """Area the run's test (accuracy, DIR) points dominate, from (0, 1): higher is better (docs/timeline.md)."""
    train_s: float
    eval_s: float


class TimelineBlock(TypedDict):
    """A `--timeline N` run's record: every trained variant's points, the teacher attack that was fixed once."""

    points: int
    attack: dict[str, Any]
    """The teacher attack's name and budget (crafted once on the validation and the test split)."""
    n_val: int
    n_test: int
    tolerance: float
    """The selection rule's accuracy tolerance (docs/timeline.md)."""
    runs: list[TimelineRun]
    overhead: float
    """Evaluation time over training time, all runs together."""


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
