"""Returned values that are not JSON travel as pickles through the catalog.

The rule (`domain.values`): a return that is exact JSON (JSON gives back the same value and
types; a pydantic model counts as its JSON) goes into the run log. Anything else (a tuple,
an int-keyed dict, a dict subclass, NaN, a dataclass, a DataFrame, a fitted model) is
pickled (with cloudpickle when plain pickle cannot, and cloudpickle is installed), put into
the run's catalog as `objects/<step path>/<name>.pickle`, and the run log records a reference
`{"$object": {"path", "sha256", "size", "format", "type"}}`. A later step that takes that
parameter receives the object, loaded on first use; shell tasks receive the reference.
Every executor, `local` included, hands a step copies: nothing one step received or
returned is shared with another, as in a container.
"""

from __future__ import annotations

import pickle
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from runplane.domain.errors import ExecutionError
from runplane.domain.run_log import CatalogEntry
from runplane.domain.values import exact_json_copy
from runplane.ports.catalog import Catalog

REFERENCE = "$object"


def is_reference(value: Any) -> bool:
    """Whether `value` is a recorded reference to a pickled object."""
    return isinstance(value, dict) and len(value) == 1 and REFERENCE in value


class ObjectStore:
    """Pickles returns into the catalog and loads them back for later steps."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def store(
        self, run_id: str, step_path: str, returns: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[CatalogEntry]]:
        """Replace every non-JSON return with a reference to its pickle in the catalog."""
        out: dict[str, Any] = {}
        entries: list[CatalogEntry] = []
        for name, value in returns.items():
            exact, copy = exact_json_copy(value)
            if exact:
                out[name] = copy  # the step may go on changing what it returned
                continue
            relative = f"objects/{step_path}/{name}.pickle"
            data, fmt = _dumps(step_path, name, value)
            with tempfile.TemporaryDirectory(prefix="runplane-objects-") as scratch:
                target = Path(scratch, relative)
                target.parent.mkdir(parents=True)
                target.write_bytes(data)
                put = self._catalog.put(run_id, [relative], Path(scratch))
            if not put:
                raise ExecutionError(
                    f"step {step_path!r}: return {name!r} ({type(value).__name__}) is not "
                    "exact JSON, so it must travel through the catalog, but the configured "
                    "catalog keeps no files; use a 'file-system' or 's3' catalog, or return "
                    "JSON data"
                )
            entry = put[0]
            entries.append(entry)
            out[name] = {
                REFERENCE: {
                    "path": relative,
                    "sha256": entry.sha256,
                    "size": entry.size,
                    "format": fmt,
                    "type": f"{type(value).__module__}.{type(value).__qualname__}",
                }
            }
        return out, entries

    def load(self, run_id: str, value: Any) -> Any:
        """A copy of the value with every reference inside it (lists and dicts too) loaded.

        Always a copy, so on `local` a step cannot change what another step receives.
        Iterative: the run log's values are at most MAX_JSON_DEPTH deep, but the stack
        of a step may already be deep.
        """
        if type(value) is not list and type(value) is not dict:
            return value  # a scalar: immutable, and no reference (references are dicts)
        holder = [value]
        pending: list[list[Any] | dict[Any, Any]] = [holder]
        while pending:
            container = pending.pop()
            keys = list(container) if isinstance(container, dict) else range(len(container))
            for key in keys:
                item = container[key]
                if is_reference(item):
                    container[key] = self._load_one(run_id, item[REFERENCE])
                elif type(item) is list or type(item) is dict:
                    container[key] = copied = type(item)(item)
                    pending.append(copied)
        return holder[0]

    def _load_one(self, run_id: str, reference: Mapping[str, Any]) -> Any:
        with tempfile.TemporaryDirectory(prefix="runplane-objects-") as scratch:
            got = self._catalog.get(run_id, [reference["path"]], Path(scratch))
            if got and got[0].sha256 != reference["sha256"]:
                raise ExecutionError(
                    f"object {reference['path']!r} of run {run_id!r} changed since it was "
                    f"recorded (sha256 {got[0].sha256[:12]}..., expected "
                    f"{reference['sha256'][:12]}...)"
                )
            data = Path(scratch, reference["path"]).read_bytes()
        # The run's own catalog, and the bytes match the recorded hash.
        return pickle.loads(data)


class ObjectParameters(Mapping[str, Any]):
    """Parameters whose object references load when a task first asks for them."""

    def __init__(self, raw: Mapping[str, Any], objects: ObjectStore, run_id: str) -> None:
        self._raw = raw
        self._objects = objects
        self._run_id = run_id
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            self._loaded[name] = self._objects.load(self._run_id, self._raw[name])
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self._raw  # without loading it (Mapping's own would)

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _dumps(step_path: str, name: str, value: Any) -> tuple[bytes, str]:
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), "pickle"
    except RecursionError:
        # pickle follows nesting on the stack, which the step's own frames already use.
        raise ExecutionError(
            f"step {step_path!r}: return {name!r} is nested more than pickle can follow "
            f"(about {sys.getrecursionlimit()} levels, less the stack in use); flatten it, "
            "or return it as a string of JSON"
        ) from None
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        try:
            import cloudpickle  # noqa: PLC0415  (optional; only for what pickle cannot do)
        except ImportError:
            raise ExecutionError(
                f"step {step_path!r}: return {name!r} ({type(value).__name__}) is neither JSON "
                f"nor picklable ({exc}); install cloudpickle or return plain data"
            ) from exc
        return cloudpickle.dumps(value), "cloudpickle"
