"""A task's environment variables set in this process for the length of a call."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def exposed(env: Mapping[str, str]) -> Iterator[None]:
    """Set `env` in `os.environ` while the block runs; restore what was there afterwards.

    A function task reads its secrets from `os.environ` (that is what users' code reads),
    so they are there during the call only: a later step that did not declare them does
    not find them.
    """
    saved = {name: os.environ.get(name) for name in env}
    try:
        os.environ.update(env)
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old
