"""Which returned values the run log holds as JSON: those JSON gives back exactly.

A value is *exact JSON* when writing it as JSON and reading it back gives an equal value
of the same types all the way down: `str`, `int`, finite `float`, `bool`, `None`, and
`list` / `dict` with `str` keys of those. Exact types only: a subclass (an `IntEnum`, a
`dict` with methods) comes back as its base class, a tuple as a list, `{1: "a"}` with str
keys, NaN not at all. Every executor applies this one rule, so a step receives the same
value, of the same type, whether the value went through the run log (a container) or
stayed in memory (`local`). What is not exact JSON travels as a pickled object.
"""

from __future__ import annotations

import math
from typing import Any

#: Containers nested deeper than this are not recorded as JSON: the standard json module
#: (and every reader of the run log) recurses, so a deeper value could not be read back.
MAX_JSON_DEPTH = 200

_SCALARS = (str, int, bool, type(None))


class _NotExactJsonError(Exception):
    """Raised inside `exact_json_copy` when the value is not exact JSON."""


def exact_json_copy(value: Any) -> tuple[bool, Any]:
    """(True, a deep copy of `value`) when it is exact JSON, else (False, None).

    One pass decides and copies; it is iterative, so deep nesting cannot overflow the
    stack (past MAX_JSON_DEPTH the value is simply not exact JSON).
    """
    try:
        return True, _copy(value)
    except _NotExactJsonError:
        return False, None


def is_exact_json(value: Any) -> bool:
    """Whether `value` is exact JSON (see the module docstring)."""
    return exact_json_copy(value)[0]


def _scalar(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is float and math.isfinite(value):
        return value
    raise _NotExactJsonError


def _copy(value: Any) -> Any:
    kind = type(value)
    if kind is not list and kind is not dict:
        return _scalar(value)
    root: Any = [] if kind is list else {}
    # Each entry: a source container, its copy, and its depth.
    pending: list[tuple[Any, Any, int]] = [(value, root, 1)]
    while pending:
        source, target, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise _NotExactJsonError
        items = source.items() if type(source) is dict else enumerate(source)
        for key, item in items:
            if type(source) is dict and type(key) is not str:
                raise _NotExactJsonError
            item_kind = type(item)
            if item_kind is list or item_kind is dict:
                child: Any = [] if item_kind is list else {}
                pending.append((item, child, depth + 1))
            else:
                child = _scalar(item)
            if type(target) is list:
                target.append(child)
            else:
                target[key] = child
    return root
