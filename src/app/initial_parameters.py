"""A run's initial parameters: the parameters file, then values given one by one (--param)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runplane.app.loader import load_parameters
from runplane.domain.parameters import check_initial


def initial_parameters(
    parameters_file: str | None, given: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], str]:
    """The parameters a run starts with, and where they came from (as its run log says).

    Values given one by one (`--param epochs=5`) win over the file's.
    """
    initial = load_parameters(parameters_file)
    sources = [f"parameters file '{parameters_file}'"] if parameters_file else []
    if given:
        initial.update(check_initial(dict(given), "--param"))
        sources.append(f"--param {', '.join(given)}")
    return initial, ", then ".join(sources)
