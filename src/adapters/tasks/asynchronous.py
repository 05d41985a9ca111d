"""Async task functions: a coroutine runs to completion; an async generator streams events.

A streaming function yields dict events. Each goes to the caller's callback (if there is
one: `pipeline.execute(on_event=...)` on a local executor), with the step path added as
`step`. The event whose `type` is `"done"` ends the stream and carries the step's returns
by name: `{"type": "done", "answer": ...}` for `returns=["answer"]`.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from runplane.domain.errors import ExecutionError
from runplane.domain.graph import ReturnSpec

#: The `type` of the event that ends a stream and carries the returns.
STREAM_END = "done"

EventCallback = Callable[[dict[str, Any]], None]
T = TypeVar("T")


class StreamError(ExecutionError):
    """An async generator broke the streaming contract (not its own code failing)."""


def settle(
    step_path: str,
    value: Any,
    returns: Sequence[ReturnSpec],
    on_event: EventCallback | None,
) -> Any:
    """What a call returned, once a coroutine or async generator it gave has finished."""
    if inspect.iscoroutine(value):
        return run_to_completion(value)
    if inspect.isasyncgen(value):
        return run_to_completion(_drain(step_path, value, returns, on_event))
    return value


def run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine in a fresh event loop.

    When this thread already runs a loop (a notebook, an async web handler), the coroutine
    runs in a worker thread of its own: a loop cannot be re-entered.
    """
    # Imported here: every Python task's process imports this module, few run coroutines.
    import asyncio  # noqa: PLC0415

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="runplane-async") as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _drain(
    step_path: str,
    stream: AsyncGenerator[Any, Any],
    returns: Sequence[ReturnSpec],
    on_event: EventCallback | None,
) -> Any:
    final: dict[str, Any] | None = None
    try:
        async for event in stream:
            if not isinstance(event, dict):
                raise StreamError(
                    f"step {step_path!r}: an async generator task must yield dict events, "
                    f"got {type(event).__name__}"
                )
            if on_event is not None:
                on_event({"step": step_path, **event})
            if event.get("type") == STREAM_END:
                final = event
                break
    finally:
        await stream.aclose()
    return _returned(step_path, final, returns)


def _returned(step_path: str, final: dict[str, Any] | None, returns: Sequence[ReturnSpec]) -> Any:
    names = [r.name for r in returns]
    if not names:
        return None
    missing = names if final is None else [n for n in names if n not in final]
    if missing:
        where = "without a" if final is None else "with a"
        raise StreamError(
            f"step {step_path!r}: the async generator ended {where} {{'type': "
            f"'{STREAM_END}'}} event lacking {', '.join(missing)}; its last event must "
            f"carry every declared return by name"
        )
    assert final is not None
    values = tuple(final[name] for name in names)
    return values[0] if len(values) == 1 else values
