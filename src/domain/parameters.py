"""How the parameters a step sees are layered, and how returned values become parameters."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from runplane.domain.errors import ExecutionError, ParameterError
from runplane.domain.graph import ReturnKind, ReturnSpec

#: Environment variables with this prefix override parameters: RUNPLANE_PRM_<name>.
ENV_PREFIX = "RUNPLANE_PRM_"


def env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """Parameters from `RUNPLANE_PRM_<name>` variables: JSON when it parses, else the string."""
    out: dict[str, Any] = {}
    for key, raw in environ.items():
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
            try:
                out[key[len(ENV_PREFIX) :]] = json.loads(raw)
            except ValueError:
                out[key[len(ENV_PREFIX) :]] = raw
    return out


def layer(
    initial: Mapping[str, Any],
    returned: Iterable[Mapping[str, Any]],
    overrides: Mapping[str, Any],
) -> dict[str, Any]:
    """Initial parameters, then returns of earlier steps in order, then overrides; last wins."""
    out = dict(initial)
    for values in returned:
        out.update(values)
    out.update(overrides)
    return out


def check_initial(parameters: object, source: str) -> dict[str, Any]:
    """Validate a parameters document: a mapping of identifier names to JSON values."""
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise ParameterError(
            f"{source}: parameters must be a mapping of name to value, "
            f"got {type(parameters).__name__}"
        )
    for name, value in parameters.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(
                f"{source}: parameter name {name!r} is not a valid identifier "
                "(it must match a function argument name)"
            )
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ParameterError(
                f"{source}: parameter {name!r} is not JSON data ({exc}); use strings, "
                "numbers, booleans, null, lists and mappings (quote dates: '2026-01-01')"
            ) from None
    return parameters


def split_returns(
    step: str, specs: Sequence[ReturnSpec], value: object
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Name the values a task returned: (parameters, metrics). A tuple unpacks in order."""
    if not specs:
        return {}, {}
    if len(specs) == 1:
        values: Sequence[object] = (value,)
    elif isinstance(value, tuple | list) and len(value) == len(specs):
        values = value
    else:
        got = f"{len(value)} values" if isinstance(value, tuple | list) else type(value).__name__
        raise ExecutionError(
            f"step {step!r} declares {len(specs)} returns "
            f"({', '.join(s.name for s in specs)}) but returned {got}"
        )
    parameters: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    for spec, item in zip(specs, values, strict=True):
        if spec.kind is ReturnKind.METRIC:
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise ExecutionError(
                    f"step {step!r}: metric {spec.name!r} must be a number, "
                    f"got {type(item).__name__}"
                )
            metrics[spec.name] = item
        else:
            parameters[spec.name] = item
    return parameters, metrics


def check_json(step: str, values: Mapping[str, Any]) -> None:
    """Fail clearly when a returned value cannot be recorded in the run log."""
    for name, item in values.items():
        try:
            json.dumps(item, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ExecutionError(
                f"step {step!r}: return {name!r} is a {type(item).__name__}, which is not "
                "JSON-serialisable; return plain data (str, numbers, lists, dicts) "
                "or a pydantic model"
            ) from exc
