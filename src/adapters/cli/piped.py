"""Output that goes to a pipe or a file is not wrapped to a terminal's width."""

from __future__ import annotations

import os

from rich.console import Console

#: Wide enough for any table row or message; tables still take only the width they need.
PIPED_WIDTH = 100_000


def wide_when_piped(console: Console) -> Console:
    """`console`, unwrapped when it writes to a pipe or a file (and COLUMNS is not set).

    rich assumes 80 columns when there is no terminal, which folds table cells and long
    messages over several lines (`adapters list | grep` would miss whole class names).
    """
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = PIPED_WIDTH
    return console
