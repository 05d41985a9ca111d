"""A run's initial parameters and where they came from, as its run log records them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runplane.app.loader import initial_parameters
from runplane.domain.parameters import check_initial


def starting_parameters(
    parameters_file: str | None,
    environ: Mapping[str, str],
    given: Mapping[str, Any] | None = None,
    base: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """The parameters a run starts with, and their source ('' when only `base` or none).

    `base` (a retry's original parameters) or the parameters file, then `RUNPLANE_PRM_*`
    (`loader.initial_parameters`), then values given one by one (`--param epochs=5`): what
    is typed on the command line wins.
    """
    initial = initial_parameters(parameters_file, environ, base)
    sources = [f"parameters file '{parameters_file}'"] if parameters_file else []
    if given:
        initial.update(check_initial(dict(given), "--param"))
        sources.append(f"--param {', '.join(given)}")
    return initial, ", then ".join(sources)
