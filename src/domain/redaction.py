"""Keeps secret values out of anything recorded or shown."""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"


def redact(text: str, secret_values: Iterable[str]) -> str:
    """Replace every occurrence of each (non-empty) secret value in `text` with a mask."""
    # Longest first, so a secret containing another is masked whole.
    for value in sorted((v for v in secret_values if v), key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
