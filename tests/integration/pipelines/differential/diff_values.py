"""Values of every kind in the README's "Returns" table, built from JSON recipes, and their
shapes: a JSON description of a value's content and of the exact type of every part of it.

Copied next to `pipeline.py` into each test run's folder (and each Argo "pod"), so pickled
instances of these classes load in every step's process.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Table(dict):  # type: ignore[type-arg]
    """A dict subclass with a method: JSON would hand back a plain dict."""

    def total(self) -> int:
        return len(self)


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclass(frozen=True)
class Point:
    x: int
    y: int


def build(recipe: Any) -> Any:
    """The value a recipe `[kind, ...]` describes."""
    kind, *rest = recipe
    if kind == "none":
        return None
    leaves: dict[str, Callable[[Any], Any]] = {
        "bool": bool,
        "int": int,
        "str": str,
        "float": float,  # "nan", "inf", "-inf" or a number
        "bytes": str.encode,
        "date": lambda args: datetime.date(*args),
        "level": Level,
        "point": lambda args: Point(*args),
    }
    if kind in leaves:
        return leaves[kind](rest[0])
    if kind in ("dict", "table"):
        pairs = [(build(key), build(item)) for key, item in rest[0]]
        return dict(pairs) if kind == "dict" else Table(pairs)
    items = [build(r) for r in rest[0]]
    containers = {
        "list": list,
        "tuple": tuple,
        "set": set,
        "frozenset": frozenset,
    }
    if kind in containers:
        return containers[kind](items)
    raise ValueError(f"unknown recipe kind {kind!r}")


def shape(value: Any) -> Any:
    """JSON naming the exact type of every part of `value`, and its content.

    Floats by repr (so NaN equals NaN); sets sorted (their order follows str hashes, which
    differ between processes).
    """
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    if isinstance(value, dict):
        return [kind, [[shape(k), shape(v)] for k, v in value.items()]]
    if isinstance(value, list | tuple):
        return [kind, [shape(item) for item in value]]
    if isinstance(value, set | frozenset):
        return [kind, sorted((shape(item) for item in value), key=json.dumps)]
    return [kind, repr(value)]
