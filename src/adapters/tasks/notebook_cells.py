"""What the notebook runner reads from and adds to a notebook's cells."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from runplane.domain.errors import ExecutionError

PARAMETERS_TAG = "parameters"
RETURNS_TAG = "runplane-returns"

# Runs in the kernel after the user's last cell. Names start with `_runplane_` so they
# cannot collide with the user's; problems are reported, not raised, so the runner can
# name every missing or unserialisable return at once.
_RETURNS_CODE = """\
# Added by runplane: writes the step's returns to a file the runner reads.
import json as _runplane_json


def _runplane_plain(value):
    for method in ("tolist", "model_dump"):
        if callable(getattr(value, method, None)):
            return getattr(value, method)()
    raise TypeError(type(value).__name__)


_runplane_values, _runplane_problems = {{}}, {{}}
for _runplane_name in {names!r}:
    if _runplane_name not in globals():
        _runplane_problems[_runplane_name] = "not defined"
        continue
    _runplane_value = globals()[_runplane_name]
    try:
        _runplane_text = _runplane_json.dumps(
            _runplane_value, default=_runplane_plain, allow_nan=False
        )
        _runplane_values[_runplane_name] = _runplane_json.loads(_runplane_text)
    except (TypeError, ValueError):
        _runplane_problems[_runplane_name] = "a " + type(_runplane_value).__name__ + ", not JSON"
with open({path!r}, "w") as _runplane_file:
    _runplane_json.dump(
        {{"values": _runplane_values, "problems": _runplane_problems}},
        _runplane_file,
        allow_nan=False,
    )
"""


def read(notebook: Path) -> Any:
    """The notebook as an nbformat v4 node; a malformed file is an ExecutionError."""
    import nbformat  # noqa: PLC0415  (part of the notebook extra)

    try:
        # nbformat ships py.typed but leaves read() and the cell builders unannotated.
        return nbformat.read(notebook, as_version=4)  # type: ignore[no-untyped-call]
    except (OSError, ValueError) as exc:
        # nbformat raises NotJSONError (a ValueError) or a validation error (also one).
        raise ExecutionError(f"notebook '{notebook}' cannot be read: {exc}") from exc


def declared(node: Any) -> list[str]:
    """Names assigned at the top level of the cells tagged `parameters`, in order."""
    names: list[str] = []
    for cell in node.cells:
        if cell.cell_type != "code" or PARAMETERS_TAG not in cell.metadata.get("tags", []):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as exc:
            raise ExecutionError(
                f"the parameters cell of the notebook is not valid Python: {exc}"
            ) from exc
        for statement in tree.body:
            for name in _assigned(statement):
                if name not in names:
                    names.append(name)
    return names


def _assigned(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    else:
        return []
    out: list[str] = []
    for target in targets:
        parts = target.elts if isinstance(target, ast.Tuple) else [target]
        out += [part.id for part in parts if isinstance(part, ast.Name)]
    return out


def returns_cell(names: list[str], returns_file: Path) -> Any:
    """A last code cell that writes the variables `names` as JSON to `returns_file`."""
    from nbformat.v4 import new_code_cell  # noqa: PLC0415

    code = _RETURNS_CODE.format(names=names, path=str(returns_file))
    return new_code_cell(code, metadata={"tags": [RETURNS_TAG]})  # type: ignore[no-untyped-call]
