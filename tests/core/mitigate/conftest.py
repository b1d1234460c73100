"""Fixtures for the mitigation tests: a tiny hand-sized teacher and an Analysis around it (no demo build)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.nets import tiny_teacher_analysis
from tltui.core.analysis import Analysis
from tltui.core.mitigate import _profile_cache


@pytest.fixture
def tiny_an(tmp_path: Path) -> Analysis:
    """An Analysis of the demo study whose teacher and data are replaced by tiny ones."""
    _profile_cache.clear_memo()
    return tiny_teacher_analysis(tmp_path / "ws")
