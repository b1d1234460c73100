"""summary.json's blocks on how far to trust the attacks: the AutoAttack preset, the DIR ladder, the checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # annotations only (postponed): no run-time dependency
    from typing_extensions import NotRequired

from tltui.base.rundir.shape_interval import IntervalBlock


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
