"""Returned values that are not JSON travel as pickles through the catalog.

The rule: a return that is JSON (or a pydantic model, recorded as its JSON) goes into the
run log. Anything else (a DataFrame, a fitted model) is pickled (with cloudpickle when plain
pickle cannot, and cloudpickle is installed), put into the run's catalog as
`objects/<step path>/<name>.pickle`, and the run log records a reference
`{"$object": {"path", "sha256", "size", "format", "type"}}`. A later step that takes that
parameter receives the object, loaded on first use; shell tasks receive the reference.
"""

from __future__ import annotations

import json
import pickle
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from runplane.domain.errors import ExecutionError
from runplane.domain.run_log import CatalogEntry
from runplane.ports.catalog import Catalog

REFERENCE = "$object"


def is_json(value: Any) -> bool:
    """Whether the run log can hold `value` as it is."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


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
            if is_json(value):
                out[name] = value
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
                    f"step {step_path!r}: return {name!r} ({type(value).__name__}) is not JSON, "
                    "so it must travel through the catalog, but the configured catalog keeps "
                    "no files; use a 'file-system' or 's3' catalog, or return JSON data"
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
        """The value with every reference inside it (lists and dicts too) loaded."""
        if is_reference(value):
            return self._load_one(run_id, value[REFERENCE])
        if isinstance(value, list):
            return [self.load(run_id, item) for item in value]
        if isinstance(value, dict):
            return {key: self.load(run_id, item) for key, item in value.items()}
        return value

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

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _dumps(step_path: str, name: str, value: Any) -> tuple[bytes, str]:
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), "pickle"
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        try:
            import cloudpickle  # noqa: PLC0415  (optional; only for what pickle cannot do)
        except ImportError:
            raise ExecutionError(
                f"step {step_path!r}: return {name!r} ({type(value).__name__}) is neither JSON "
                f"nor picklable ({exc}); install cloudpickle or return plain data"
            ) from exc
        return cloudpickle.dumps(value), "cloudpickle"
