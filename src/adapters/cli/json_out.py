"""JSON the CLI prints: always strict (no NaN or Infinity), even for old run logs.

Run logs written before non-finite metrics were recorded as null may still hold NaN;
printing them must not fail, nor hand `jq` or `JSON.parse` something they reject.
"""

from __future__ import annotations

import json
import math
from typing import Any


def strict_dumps(value: Any, **options: Any) -> str:
    """`json.dumps` that writes a non-finite float as null instead of failing."""
    try:
        return json.dumps(value, allow_nan=False, **options)
    except ValueError:
        return json.dumps(_finite(value), allow_nan=False, **options)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
