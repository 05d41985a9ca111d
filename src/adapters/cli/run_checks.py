"""What `runplane run` says before the first step: parameters that no step reads.

(The wiring check itself is the service's: `Application.run(check=True)` refuses an unwired
pipeline after refusing an executor that only renders, so each refusal names its cause.)
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from runplane.domain.graph import Graph
from runplane.ports.driving import Application


def warn_unread(
    app: Application,
    graph: Graph,
    *,
    parameters_file: str | None,
    given: dict[str, Any],
    console: Console,
) -> None:
    """One warning line naming the initial parameters no step reads, if any."""
    unread = app.commands.unread(graph, parameters_file=parameters_file, parameters=given)
    if unread:
        console.print(
            f"warning: no step reads the parameter(s) {', '.join(unread)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
