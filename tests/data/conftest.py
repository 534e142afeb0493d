"""Fixtures of the data-layer tests: a temporary analytics store and the hand-made files."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkhub.data.store import AnalyticsStore

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def store(tmp_path: Path) -> AnalyticsStore:
    """An empty analytics store in a temporary directory."""
    return AnalyticsStore(tmp_path / "analytics")


@pytest.fixture
def fixtures() -> Path:
    """tests/data/fixtures (small hand-made input files with known content)."""
    return FIXTURES
