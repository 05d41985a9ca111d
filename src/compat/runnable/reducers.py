"""runnable's map reducers are Python source strings it `eval`s; runplane evaluates none.

The forms its examples and docs use (`"lambda *x: max(x)"` and the like) are recognised
and become runplane's named reducers; any other string is refused with what to write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import REDUCERS

# `lambda *x: max(x)`: runnable calls the reducer with one argument per iteration.
_CALL = re.compile(r"lambda\s*\*\s*(\w+)\s*:\s*(max|min|sum|list)\(\s*\1\s*\)")
_INDEX = re.compile(r"lambda\s*\*\s*(\w+)\s*:\s*\1\s*\[\s*(0|-1)\s*\]")
_AT = {"0": "first", "-1": "last"}


def runplane_reducer(
    map_name: str, reducer: str | Callable[[list[Any]], Any] | None
) -> str | Callable[[list[Any]], Any] | None:
    """The reducer runplane's Map takes for what runnable's Map was given."""
    if reducer is None or callable(reducer) or reducer in REDUCERS:
        return reducer
    text = " ".join(str(reducer).split())
    if found := _CALL.fullmatch(text):
        return found.group(2)
    if found := _INDEX.fullmatch(text):
        return _AT[found.group(2)]
    raise PipelineDefinitionError(
        f"map {map_name!r}: reducer {reducer!r} is source code runnable would eval; runplane "
        "evaluates no strings: pass a function of one list (reducer=my_module.combine, called "
        f"with the list of values in iteration order) or one of {', '.join(REDUCERS)}"
    )
