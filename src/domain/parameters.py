"""How the parameters a step sees are layered, and how returned values become parameters."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from runplane.domain.errors import ExecutionError, ParameterError
from runplane.domain.graph import ReturnKind, ReturnSpec
from runplane.domain.values import is_exact_json

#: Environment variables with this prefix set initial parameters: RUNPLANE_PRM_<name>.
ENV_PREFIX = "RUNPLANE_PRM_"


def env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """Parameters from `RUNPLANE_PRM_<name>` variables: JSON when it parses, else the string.

    Only strict JSON counts (`NaN`, `Infinity` and `1e999` stay strings), so every
    override can be recorded in the run log as it is.
    """
    return {
        key[len(ENV_PREFIX) :]: parse_value(raw)
        for key, raw in environ.items()
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX)
    }


def parse_value(raw: str) -> Any:
    """A parameter given as text: its strict JSON value when it parses, else the text."""
    try:
        value = json.loads(raw, parse_constant=_refuse)
    except ValueError:
        return raw
    return value if is_exact_json(value) else raw


def parse_assignments(assignments: Iterable[str], source: str) -> dict[str, Any]:
    """`NAME=VALUE` texts (`--param epochs=5`) as parameters; values as `parse_value`."""
    out: dict[str, Any] = {}
    for text in assignments:
        name, sep, raw = text.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ParameterError(
                f"{source} {text!r}: expected NAME=VALUE with NAME a valid identifier "
                '(epochs=5, lr=0.1, model="resnet", layers=[64,32])'
            )
        out[name.strip()] = parse_value(raw)
    return out


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is not strict JSON")


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
        if not is_exact_json(value):
            raise ParameterError(
                f"{source}: parameter {name!r} is not JSON data (it holds a "
                f"{_first_offender(value)}); use strings, finite numbers, booleans, null, "
                "lists and mappings with string keys (quote dates: '2026-01-01')"
            )
    return parameters


def split_returns(
    step: str, specs: Sequence[ReturnSpec], value: object
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Name the values a task returned: (parameters, metrics). A tuple unpacks in order.

    A metric is also a parameter (as in runnable, whose users expect `metric("score")`
    to reach the next step as `score`): it is in both mappings.
    """
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
        parameters[spec.name] = item
    return parameters, metrics


def recordable_metrics(metrics: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """Metrics as the run log records them, and a note on any that were not finite.

    A NaN or infinite metric is recorded as null (strict JSON has no NaN) and the note
    says which; number subclasses (an IntEnum, numpy's float64) become plain numbers.
    """
    out: dict[str, Any] = {}
    odd: list[str] = []
    for name, value in metrics.items():
        number = int(value) if isinstance(value, int) else float(value)
        if isinstance(number, float) and not math.isfinite(number):
            odd.append(f"{name}={number}")
            out[name] = None
        else:
            out[name] = number
    note = f"not finite, recorded as null: metric {', '.join(odd)}" if odd else ""
    return out, note


def _first_offender(value: Any) -> str:
    """A short description of something inside `value` that is not exact JSON."""
    pending = [value]
    while pending:
        item = pending.pop()
        if type(item) is list:
            pending.extend(item)
        elif type(item) is dict:
            keys = [k for k in item if type(k) is not str]
            if keys:
                return f"{type(keys[0]).__name__} key {keys[0]!r}"
            pending.extend(item.values())
        elif not is_exact_json(item):
            return f"{type(item).__name__} ({item!r:.40})"
    return "value nested too deep"
