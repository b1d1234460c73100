"""The Overview's banner: what the run's pre-flight checks and after-attack flags found (docs/checks.md)."""

from __future__ import annotations

from tltui.base.checklines import check_lines, open_findings
from tltui.ui.model.rundata import RunData


def checks_banner(run: RunData | None) -> str:
    """A heading with the count, then one line per finding (the unacknowledged first); empty when none fired
    or the run predates the checks."""
    block = run.info.checks if run is not None else None
    lines = check_lines(block)
    if not lines:
        return ""
    n_open = len(open_findings(block))
    head = (
        f"Checks: {n_open} finding{'s' if n_open != 1 else ''} to look at before trusting these numbers"
        if n_open
        else "Checks: every finding acknowledged by the study ([checks] acknowledge)"
    )
    return "\n".join([f"{head} (docs/checks.md)", *lines])
