"""Checks (docs/checks.md): the pre-flight checks run on every model before any attack, and the after-attack flags."""

from __future__ import annotations

from tltui.base.catalogue.entry import Entry

_PRE = "tltui.core.checks"

CHECKS: dict[str, Entry] = {
    "randomised-forward": Entry(
        "randomised-forward",
        "two forward passes over the same batch differ (dropout or noise in forward): one attack run is not "
        "a worst case",
        f"{_PRE}.randomised:run",
    ),
    "batch-dependence": Entry(
        "batch-dependence",
        "a sample's logits alone differ from its logits in a batch (BatchNorm or dropout left in training "
        "mode)",
        f"{_PRE}.batchdep:run",
    ),
    "probability-outputs": Entry(
        "probability-outputs",
        "the outputs are probabilities (rows in [0, 1] summing to 1: a softmax head), not logits",
        f"{_PRE}.probabilities:run",
    ),
    "input-gradients": Entry(
        "input-gradients",
        "zero or non-finite input gradients on correctly classified inputs (a stop-gradient, masking)",
        f"{_PRE}.gradients:run",
    ),
    "clean-accuracy": Entry(
        "clean-accuracy",
        "clean accuracy near chance or below the study's expectation, with the likely cause (normalisation, "
        "class order, image size)",
        f"{_PRE}.accuracy:run",
    ),
    "preprocessing-mismatch": Entry(
        "preprocessing-mismatch",
        "teacher and student preprocessing or class lists that disagree",
        f"{_PRE}.preprocessing:run",
    ),
}
"""Pre-flight check name -> entry; `target` is `run(ctx: CheckContext) -> list[Found]` (tltui.core.checks)."""

FLAGS: dict[str, Entry] = {
    "blackbox-beats-whitebox": Entry(
        "blackbox-beats-whitebox",
        "a black-box attack (Square) fools inputs the white-box attack left correct: gradient masking",
        f"{_PRE}.blackbox:run",
    ),
    "eps-not-monotone": Entry(
        "eps-not-monotone",
        "accuracy rises with a larger ε on the ε grid: the attack is not converging",
        f"{_PRE}.monotone:run",
    ),
    "aai-above-aoi": Entry(
        "aai-above-aoi",
        "accuracy under attack above clean accuracy: the attack helps the model",
        f"{_PRE}.aai:run",
    ),
    "teacher-attack-weak": Entry(
        "teacher-attack-weak",
        "teacher-crafted inputs move the teacher's features no more than random noise of the same size",
        f"{_PRE}.teacherweak:run",
    ),
}
"""After-attack flag name -> entry; `target` is `run(ctx: FlagContext) -> list[Found]` (tltui.core.checks)."""

ALL_CHECKS: tuple[str, ...] = (*CHECKS, *FLAGS)
"""Every name `[checks] acknowledge` may list."""
