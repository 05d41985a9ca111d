"""A run's initial parameters and where they came from, as its run log records them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runplane.app.yaml_files import read_yaml
from runplane.domain.errors import ParameterError
from runplane.domain.parameters import check_initial, env_overrides


def starting_parameters(
    parameters_file: str | None,
    environ: Mapping[str, str],
    given: Mapping[str, Any] | None = None,
    base: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """The parameters a run starts with, and their source ('' when only `base` or none).

    `base` (a retry's original parameters) or the parameters file, then `RUNPLANE_PRM_*`
    (`initial_parameters`), then values given one by one (`--param epochs=5`): what
    is typed on the command line wins.
    """
    initial = initial_parameters(parameters_file, environ, base)
    sources = [f"parameters file '{parameters_file}'"] if parameters_file else []
    if given:
        initial.update(check_initial(dict(given), "--param"))
        sources.append(f"--param {', '.join(given)}")
    return initial, ", then ".join(sources)


def load_parameters(parameters_file: str | None) -> dict[str, Any]:
    """Read a YAML parameters file (a mapping of name to value); errors name file and line."""
    if parameters_file is None:
        return {}
    path = Path(parameters_file)
    if not path.is_file():
        raise ParameterError(f"parameters file '{path}' not found")
    data = read_yaml(path, "parameters file", ParameterError)
    return check_initial(data, f"parameters file '{path}'")


def initial_parameters(
    parameters_file: str | None, environ: Mapping[str, str], base: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What a run starts with: `base` or the parameters file, then `RUNPLANE_PRM_*` on top.

    Environment values are initial values (runnable's rule), recorded with the run so a
    retry keeps them; a step that returns the same name replaces them.
    """
    start = dict(base) if base is not None and parameters_file is None else {}
    return {**start, **load_parameters(parameters_file), **env_overrides(environ)}
