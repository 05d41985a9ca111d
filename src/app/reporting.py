"""Turning failures into what a user needs to see: their own traceback, not ours."""

from __future__ import annotations

import sysconfig
import traceback
from pathlib import Path

# Both spellings: an editable install reaches the package through a link folder.
_PACKAGE = (str(Path(__file__).parent.parent), str(Path(__file__).resolve().parent.parent))
_STDLIB = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])


def user_traceback(exc: BaseException) -> str:
    """The traceback of the user's error with runplane's own frames left out.

    An adapter wraps a user's exception in an ExecutionError `from` it; the cause is the
    user's, so that is the one shown.
    """
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    frames = [f for f in traceback.extract_tb(cause.__traceback__) if not _ours(f.filename)]
    if all(_standard_library(f.filename) for f in frames):
        return ""  # runplane's own failure (passing through contextlib, say): no user code
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(cause), cause)
    return "".join(lines)


def _ours(filename: str) -> bool:
    return filename.startswith(_PACKAGE)


def _standard_library(filename: str) -> bool:
    return filename.startswith(_STDLIB) and "site-packages" not in filename
