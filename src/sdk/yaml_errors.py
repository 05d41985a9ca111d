"""Validation errors of a YAML pipeline, said by YAML path: `steps[1].branch.steps[0].comand`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from runplane.sdk.yaml_models import STEP_MODELS, CatalogModel, PipelineModel, ReturnModel

#: Models of mappings that are not steps, by the key they sit under.
_MAPPING_MODELS: dict[str, type[BaseModel]] = {"catalog": CatalogModel, "returns": ReturnModel}


def describe(path: Path, exc: ValidationError, raw: Any) -> str:
    """One line per problem, each naming where it is and what would be valid."""
    lines = [f"pipeline file '{path}' is not a valid pipeline:"]
    for error in exc.errors():
        keys = _keys(error["loc"])
        lines.append(f"  {yaml_path(keys) or '(top level)'}: {_message(error, keys, raw)}")
    return "\n".join(lines)


def _keys(loc: Sequence[int | str]) -> list[int | str]:
    """The location without union tags (a string right after a list index is a tag here)."""
    keys: list[int | str] = []
    for index, part in enumerate(loc):
        if isinstance(part, str) and index > 0 and isinstance(loc[index - 1], int):
            continue
        keys.append(part)
    return keys


def yaml_path(keys: Sequence[int | str]) -> str:
    """`['steps', 1, 'branch']` -> `steps[1].branch`."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _message(error: Any, keys: list[int | str], raw: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(keys, raw)
    if kind == "union_tag_not_found":
        return f"a step needs a `type`: one of {', '.join(STEP_MODELS)}"
    if kind == "union_tag_invalid":
        return f"unknown step type {error['input'].get('type')!r}; types: {', '.join(STEP_MODELS)}"
    if kind == "missing":
        return f"required key missing{_in_step(keys[:-1], raw)}"
    return f"{error['msg']}{_in_step(keys[:-1], raw)}"


def _unknown_key(keys: list[int | str], raw: Any) -> str:
    container = _at(raw, keys[:-1])
    model = _model_of(keys[:-1], container)
    valid = ", ".join(sorted(model.model_fields))
    return f"unknown key {keys[-1]!r}{_in_step(keys[:-1], raw)}; valid keys: {valid}"


def _model_of(keys: list[int | str], container: Any) -> type[BaseModel]:
    step_type = container.get("type") if isinstance(container, dict) else None
    if isinstance(step_type, str) and step_type in STEP_MODELS:
        return STEP_MODELS[step_type]
    parent = next((k for k in reversed(keys) if isinstance(k, str)), None)
    if parent in _MAPPING_MODELS:
        return _MAPPING_MODELS[parent]
    return PipelineModel


def _in_step(keys: list[int | str], raw: Any) -> str:
    """' in step 'x' (type t)' for the innermost step enclosing `keys`, else ''."""
    for end in range(len(keys), 0, -1):
        if not isinstance(keys[end - 1], int) or (end > 1 and keys[end - 2] != "steps"):
            continue
        step = _at(raw, keys[:end])
        if isinstance(step, dict):
            name = step.get("name") or step.get("command")
            kind = step.get("type")
            return f" in step {name!r} (type {kind})" if name else f" in a step of type {kind}"
    return ""


def _at(raw: Any, keys: Sequence[int | str]) -> Any:
    node = raw
    for key in keys:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node
