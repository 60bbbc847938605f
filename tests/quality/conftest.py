"""Fixtures for the quality tests: the export tests' Seeder (projects, experts, items and
judgments made directly through the ORM)."""

from __future__ import annotations

import pytest
from export.conftest import Seeder


@pytest.fixture
def seed(session) -> Seeder:
    return Seeder(session)
