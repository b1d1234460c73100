"""Attacks (docs/attacks.md): white-box attacks on a classifier, teacher-only attacks for DIR, and their parameters."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tltui.base.catalogue.entry import Entry
from tltui.base.catalogue.params import ParamSpec, param, specs
from tltui.base.errors import ParamError

_ZOO = {
    "fgsm": "FGSM",
    "pgd": "PGD (L∞) or PGD-L2",
    "cw": "Carlini–Wagner L2 (minimum norm, projected onto the ε ball)",
    "apgd": "Auto-PGD",
    "deepfool": "DeepFool (minimum norm, projected onto the ε ball)",
    "mifgsm": "momentum iterative FGSM",
    "square": "Square (score-based, no gradients)",
}

ATTACKS: dict[str, Entry] = {
    "pgd": Entry("pgd", "our batched PGD on the cross-entropy, L∞ or L2", "tltui.core.attacks.pgd:run"),
    "fgsm": Entry("fgsm", "our FGSM: one full-ε signed gradient step", "tltui.core.attacks.fgsm:run"),
    **{
        f"ta-{name}": Entry(f"ta-{name}", f"torchattacks {text}", f"tltui.core.attacks.zoo:ta_{name}")
        for name, text in _ZOO.items()
    },
}
"""White-box attack name -> entry; `target` is `run(forward, x, y, cfg, generator=None) -> x_adv`."""

TEACHER_ATTACKS: dict[str, Entry] = {
    "feature": Entry(
        "feature",
        "maximise the distortion of the teacher's penultimate features",
        "tltui.core.attacks.feature:run",
    ),
    "neuron": Entry(
        "neuron",
        "ReMoS: drive one penultimate neuron of the teacher high and the others to zero",
        "tltui.core.attacks.neuron:run",
    ),
    "remos": Entry(
        "remos",
        "ReMoS's myloss: penultimate neuron 0 towards 1000, the others towards 0 (weight 0.1)",
        "tltui.core.attacks.remos_target:run",
    ),
}
"""Teacher attack name -> entry; `target` is `run(features, x, cfg, generator=None) -> x_adv`."""

TEACHER_LOGIT_ATTACKS: dict[str, Entry] = {
    "logit-pgd-t": Entry(
        "logit-pgd-t",
        "PGD on the teacher's logits towards its runner-up class",
        "tltui.core.attacks.teacher_logits:pgd_targeted",
    ),
    "logit-pgd": Entry(
        "logit-pgd",
        "PGD on the teacher's cross-entropy of its own prediction",
        "tltui.core.attacks.teacher_logits:pgd",
    ),
    "logit-apgd": Entry(
        "logit-apgd",
        "APGD-CE on the teacher's own prediction (the AutoAttack iterations), transferred",
        "tltui.core.attacks.teacher_logits:apgd",
    ),
}
"""Teacher-only attacks on the teacher's own classifier; `target` is `run(logits, x, cfg, generator=None)`."""

LADDER: tuple[str, ...] = ("remos", "neuron", "feature", "logit-pgd-t", "logit-pgd", "logit-apgd")
"""The DIR ladder's rungs, the feature objectives first, then the teacher's own logits (docs/metrics.md)."""

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "remos": {
        "name": "remos",
        "eps": 0.1,
        "alpha": 0.01,
        "steps": 40,
        "random_start": True,
        "space": "normalized",
    },
}
"""Teacher-attack protocols by name: `remos` is ReMoS's (CV_adv/eval_robustness.py): its myloss objective, L∞
ε 0.1 and step 0.01 in normalised units, 40 steps, random start."""

ATTACK_PRESETS: dict[str, str] = {
    "autoattack": "AutoAttack standard (Croce & Hein): APGD-CE, APGD-T, FAB-T and Square, per-image worst case",
}
"""White-box evaluation presets run beside the study's attack (docs/attacks.md#the-autoattack-preset)."""
AA_STEPS, AA_TARGETS, AA_QUERIES = 100, 9, 5000
"""fra31/auto-attack `standard` (L∞, L2): APGD-CE and APGD-T 100 iterations, 1 restart each; APGD-T and FAB-T
9 target classes (at most the classes − 1); FAB-T 100 iterations; Square 5000 queries, 1 restart."""

NORMS = ("linf", "l2")
SPACES = ("pixel", "normalized")
MAX_BUDGET = 100.0
"""ε and α are in pixel units (images in [0, 1]); an L2 ε may exceed 1 (a 3×224×224 image is ~388 across), an
L∞ ε may not (see `AttackParams`). 100 only catches typing slips."""
MAX_STEPS = 10_000
"""A PGD step is a forward and a backward pass over the whole test set: 10 000 is already hours on a real study."""


def _eps(default: float | None, label: str, help: str) -> Any:
    return param(default, label=label, help=help, unit="pixel", lo=0.0, lo_open=True, hi=MAX_BUDGET)


def _steps(default: int | None, label: str, help: str) -> Any:
    return param(default, label=label, help=help, lo=1, hi=MAX_STEPS)


@dataclass(frozen=True)
class TeacherAttackParams:
    """The attack crafted on the teacher alone for DIR, with its own budget and objective ([attack.teacher])."""

    name: str = param(
        "feature",
        label="teacher attack",
        help="objective on the teacher's penultimate features",
        choices=TEACHER_ATTACKS,
    )
    eps: float | None = _eps(None, "teacher ε", "budget of the teacher attack (L∞; empty: the white-box ε)")
    alpha: float | None = _eps(None, "teacher α", "its step size (empty: the white-box α)")
    steps: int | None = _steps(None, "teacher steps", "its steps (empty: the white-box steps)")
    random_start: bool = param(
        True, label="teacher random start", help="start at a random point of the ε ball"
    )
    space: str = param(
        "pixel",
        label="teacher space",
        help="units of its ε and α: pixel (inputs in [0, 1]) or normalized (after mean/std: ×std per channel)",
        choices=SPACES,
    )
    preset: str | None = param(
        None,
        label="teacher preset",
        help="a published protocol the other keys start from (remos: ReMoS's)",
        choices=TEACHER_PRESETS,
    )


@dataclass(frozen=True)
class AttackParams:
    """The white-box attack ([attack]): pixel space, inputs in [0, 1] before normalisation."""

    name: str = param("pgd", label="attack", help="the white-box attack on every model", choices=ATTACKS)
    eps: float = _eps(8 / 255, "ε", "perturbation budget of the reported attack (L∞ ≤ 1)")
    alpha: float = _eps(2 / 255, "α", "step size (scaled with ε along the ε grid)")
    steps: int = _steps(10, "steps", "gradient steps per attack")
    random_start: bool = param(False, label="random start", help="start at a random point of the ε ball")
    norm: str = param("linf", label="norm", help="the ball ε bounds", choices=NORMS)
    teacher: TeacherAttackParams = field(default_factory=TeacherAttackParams)
    """The teacher-crafted attack for DIR (`teacher_attack = "<name>"` in [attack] sets only its objective)."""
    eps_grid: tuple[float, ...] = param(
        (0.0, 1 / 255, 2 / 255, 4 / 255, 8 / 255, 16 / 255),
        label="ε grid",
        help="budgets of the accuracy-vs-ε curves",
        unit="pixel",
        lo=0.0,
        hi=MAX_BUDGET,
    )

    preset: str | None = param(
        None,
        label="attack preset",
        help="an evaluation run beside the attack at the study's ε (autoattack: AutoAttack standard)",
        choices=ATTACK_PRESETS,
    )
    aa_steps: int = param(
        AA_STEPS,
        label="AutoAttack iterations",
        help="APGD-CE, APGD-T and FAB-T iterations",
        lo=1,
        hi=MAX_STEPS,
    )
    aa_restarts: int = param(
        1, label="AutoAttack restarts", help="restarts of each AutoAttack attack", lo=1, hi=100
    )
    aa_targets: int = param(
        AA_TARGETS,
        label="AutoAttack targets",
        help="target classes of APGD-T and FAB-T (at most the classes − 1)",
        lo=1,
        hi=1000,
    )
    aa_queries: int = param(
        AA_QUERIES, label="AutoAttack queries", help="Square's queries per image", lo=1, hi=1_000_000
    )
    ladder: bool = param(
        False,
        label="DIR ladder",
        help="DIR under every teacher-only attack, weakest to strongest (docs/metrics.md#the-dir-ladder)",
    )

    def __post_init__(self) -> None:
        if isinstance(self.eps_grid, list):  # JSON job parameters carry lists
            object.__setattr__(self, "eps_grid", tuple(self.eps_grid))
        if self.norm == "linf" and self.eps > 1:
            raise ParamError(
                f"eps = {self.eps:g} with norm linf: must be ≤ 1 (pixels are in [0, 1]); use norm l2 for a "
                "larger budget"
            )


_KEYS = {"preset": "attack_preset", "ladder": "dir_ladder"}
"""White-box keys (and so flags) that are not their field's name: `--attack-preset`, `--dir-ladder`."""


def attack_overrides() -> dict[str, tuple[str, str, ParamSpec]]:
    """What a job or a flag may set over the study's attack: key -> (`attack` | `teacher`, the field, its spec
    named by the key). Keys are the fields (`eps`, …), `attack` for the attack's name, and `teacher_<field>`
    (`teacher_attack` for the teacher's name); their flags are `--eps`, `--attack`, `--teacher-eps`, …"""
    out: dict[str, tuple[str, str, ParamSpec]] = {}
    for which, cls, prefix in (("attack", AttackParams, ""), ("teacher", TeacherAttackParams, "teacher_")):
        for spec in specs(cls):
            key = prefix + (
                "attack" if spec.name == "name" else spec.name if prefix else _KEYS.get(spec.name, spec.name)
            )
            out[key] = (which, spec.name, replace(spec, name=key))
    return out
