"""A task's environment variables set in this process for the length of a call."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

# Tasks in threads (the local executor's `max_workers`) share os.environ, and their calls
# end in any order. Each call's variables are a layer; a variable shows the newest layer
# that sets it, and gets its value from before the first layer back when none is left.
# Restoring each call's own saved copy instead would let a step that ends first remove a
# variable another still reads, and the last one put back a value that belongs to nobody.
_lock = threading.Lock()
_layers: list[tuple[object, dict[str, str]]] = []
_before: dict[str, str | None] = {}


@contextmanager
def exposed(env: Mapping[str, str]) -> Iterator[None]:
    """Set `env` in `os.environ` while the block runs; restore what was there afterwards.

    A function task reads its secrets from `os.environ` (that is what users' code reads),
    so they are there during the call only: a later step that did not declare them does
    not find them.
    """
    token = object()
    layer = dict(env)
    with _lock:
        for name in layer:
            _before.setdefault(name, os.environ.get(name))
        _layers.append((token, layer))
        os.environ.update(layer)
    try:
        yield
    finally:
        with _lock:
            _layers[:] = [(t, e) for t, e in _layers if t is not token]
            for name in layer:
                _show(name)


def _show(name: str) -> None:
    """Put in os.environ the value the newest remaining layer gives `name`, else the old one."""
    for _, env in reversed(_layers):
        if name in env:
            os.environ[name] = env[name]
            return
    old = _before.pop(name, None)
    if old is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = old
