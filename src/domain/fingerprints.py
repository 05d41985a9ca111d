"""Input fingerprints: one hash of everything a step consumed.

A retry compares a recorded step's fingerprint with the one it would have now: the same,
the step is reused; different, it runs again (and so does everything after it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring_ascii as _quoted
from typing import Any

from runplane.domain.graph import Node

#: The module a pipeline file is imported as: the prefix and a hash of the file's path.
PIPELINE_MODULE_PREFIX = "runplane_pipeline_"
# The hash names where the file is (a checkout, a pod's image), not what the step is; a
# script run as `python pipeline.py` (runnable's habit) names it `__main__`.
_PIPELINE_MODULE = re.compile("^(?:" + re.escape(PIPELINE_MODULE_PREFIX) + r"[0-9a-f]+|__main__)\.")


def definition(node: Node) -> dict[str, Any]:
    """The step's code identity as the pipeline states it: what runs, what it returns, moves.

    Cheap and stable: a changed command, return list or catalog patterns is another step;
    a fix inside the function is not (retrying after a fix is the point of a retry).
    """
    task = node.task
    if task is None:
        return {"kind": node.kind.value}
    return {
        "kind": task.kind,
        "command": _PIPELINE_MODULE.sub("pipeline.", task.command, count=1),
        "returns": [[r.name, r.kind.value] for r in task.returns],
        "catalog": {"get": list(task.catalog.get), "put": list(task.catalog.put)},
    }


def consumed(read: Iterable[str], visible: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a step read that came from the run (not a default of the task)."""
    return {name: visible[name] for name in read if name in visible}


def fingerprint(
    step_definition: Mapping[str, Any],
    parameters: Mapping[str, Any],
    files: Iterable[tuple[str, str | None]],
) -> str:
    """sha256 of the definition, the parameters read and the (name, sha256) of files got."""
    return fingerprint_of(_CANONICAL.encode(step_definition), parameters, files)


def definition_text(node: Node) -> str:
    """`definition(node)` as the canonical JSON `fingerprint_of` takes.

    Written directly, not through the encoder: a definition holds only strings, in keys
    of a fixed order, and this runs once per step of every run. It is exactly
    `_CANONICAL.encode(definition(node))` (sorted keys, no spaces, ASCII escapes).
    """
    task = node.task
    if task is None:
        return f'{{"kind":{_quoted(node.kind.value)}}}'
    command = _PIPELINE_MODULE.sub("pipeline.", task.command, count=1)
    returns = ",".join(f"[{_quoted(r.name)},{_quoted(r.kind.value)}]" for r in task.returns)
    get = ",".join(map(_quoted, task.catalog.get))
    put = ",".join(map(_quoted, task.catalog.put))
    return (
        f'{{"catalog":{{"get":[{get}],"put":[{put}]}},"command":{_quoted(command)},'
        f'"kind":{_quoted(task.kind)},"returns":[{returns}]}}'
    )


def fingerprint_of(
    definition_json: str,
    parameters: Mapping[str, Any],
    files: Iterable[tuple[str, str | None]],
) -> str:
    """`fingerprint` with the definition already encoded (`definition_text`).

    A step's definition never changes within a run, so the step path encodes it once; the
    hash is the one `fingerprint` gives, which runs recorded earlier hold.
    """
    # Canonical JSON of {"definition", "files", "parameters"}: key order and spacing never
    # change the hash; values are the run log's JSON (objects are references holding their
    # sha256), `str` only as a fallback. "definition" sorts first, so the document is the
    # encoded definition spliced in front of the other two keys, encoded in one call.
    listed = sorted([name, sha256] for name, sha256 in files)
    flat = None if listed else _flat(parameters)
    if flat is not None:
        rest = f'{{"files":[],"parameters":{{{flat}}}}}'
    else:
        rest = _CANONICAL.encode({"files": listed, "parameters": parameters})
    text = f'{{"definition":{definition_json},{rest[1:]}'
    return hashlib.sha256(text.encode()).hexdigest()


def _flat(parameters: Mapping[str, Any]) -> str | None:
    """The members of a dict of str keys and str/int/bool/None values as canonical JSON.

    The usual step reads a few such values; writing them directly spares an encoder per
    step. Anything else (floats, containers, another Mapping): None, and the encoder does it.
    """
    if type(parameters) is not dict:
        return None
    members = []
    for key in sorted(parameters) if all(type(k) is str for k in parameters) else ():
        value = parameters[key]
        kind = type(value)
        if kind is str:
            text = _quoted(value)
        elif kind is int:
            text = int.__repr__(value)
        elif kind is bool:
            text = "true" if value else "false"
        elif value is None:
            text = "null"
        else:
            return None
        members.append(f"{_quoted(key)}:{text}")
    if len(members) != len(parameters):
        return None  # a key that is not a str
    return ",".join(members)


# One encoder for every fingerprint: `json.dumps` with options builds a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
