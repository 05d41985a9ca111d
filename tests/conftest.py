"""Fixtures for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runplane.app import masking


@pytest.fixture(autouse=True)
def _no_secrets_from_earlier_tests() -> Iterator[None]:
    """The masking registry is process-wide: a test's secrets must not mask the next test."""
    yield
    masking.forget_all()
