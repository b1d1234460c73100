"""The checks' findings as lines (CLI, workbench banner, report) and the rule that acknowledges one."""

from __future__ import annotations

from collections.abc import Iterable

from tltui.base.names import shown
from tltui.base.rundir.shape_attacks import CheckFinding, ChecksBlock

ACK_HINT = '[checks] acknowledge = ["{check}"]'


def is_acknowledged(check: str, model: str | None, acknowledged: Iterable[str]) -> bool:
    """Whether `[checks] acknowledge` covers `check` on `model`: the check's name (every model) or
    `check:model` (that model only)."""
    given = set(acknowledged)
    return check in given or (model is not None and f"{check}:{model}" in given)


def finding_line(f: CheckFinding) -> str:
    """`⚠ check input-gradients (scratch): … (acknowledge: …)`, or `✓ acknowledged …` once acknowledged."""
    where = f" ({shown(f['model'])})" if f.get("model") else ""
    head = f"{f['check']}{where}: {shown(f['message'])}"
    if f.get("acknowledged"):
        return f"✓ acknowledged check {head}"
    return f"⚠ check {head} (acknowledge: {ACK_HINT.format(check=f['check'])})"


def finding_lines(findings: Iterable[CheckFinding]) -> list[str]:
    """One line per finding, the unacknowledged first."""
    found = sorted((f for f in findings if isinstance(f, dict)), key=lambda f: bool(f.get("acknowledged")))
    return [finding_line(f) for f in found]


def checks_head(block: ChecksBlock) -> str:
    """`checks: 10 ran on 4 models, none fired` (or `1 fired (0 acknowledged)`): the CLI's line and the report's."""
    found, open_ = block.get("findings", []), open_findings(block)
    head = f"checks: {len(block.get('ran', []))} ran on {len(block.get('models', []))} models, "
    return head + (
        "none fired" if not found else f"{len(found)} fired ({len(found) - len(open_)} acknowledged)"
    )


def check_lines(block: ChecksBlock | None) -> list[str]:
    """One line per finding of a run, the unacknowledged first; empty when no check fired (or the run has no
    checks)."""
    return [] if block is None else finding_lines(block.get("findings", []))


def open_findings(block: ChecksBlock | None) -> list[CheckFinding]:
    """The findings the study has not acknowledged."""
    if block is None:
        return []
    return [f for f in block.get("findings", []) if isinstance(f, dict) and not f.get("acknowledged")]
