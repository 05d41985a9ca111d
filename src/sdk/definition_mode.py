"""Reading a script's pipeline without running it: `main()` scripts, as runnable writes them.

runnable's examples build a pipeline inside `main()` and call `pipeline.execute()` there
(`if __name__ == "__main__": main()`). A process that must rebuild the pipeline (a
`local-subprocess` step, an Argo pod) imports the file and calls `main()` while
`capturing()`: `execute()` then only hands its pipeline over (runnable does the same,
returning early when called "for definition").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_handed: ContextVar[list[object] | None] = ContextVar("runplane_defining", default=None)


@contextmanager
def capturing() -> Iterator[list[object]]:
    """While open, `hand_over` keeps what `execute()` was called on, in call order."""
    handed: list[object] = []
    token = _handed.set(handed)
    try:
        yield handed
    finally:
        _handed.reset(token)


def hand_over(pipeline: object) -> bool:
    """In definition mode, keep `pipeline` and say so: the caller must not run it."""
    handed = _handed.get()
    if handed is None:
        return False
    handed.append(pipeline)
    return True
