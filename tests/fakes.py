"""Fakes of the driven ports; each passes its port's contract suite (unit/test_contracts.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from runplane.adapters._shared.globbing import expand, match_names
from runplane.domain.errors import CatalogError, SecretNotFoundError
from runplane.domain.run_log import CatalogEntry


class DictSecrets:
    """Secrets from a dict."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = dict(values or {})
        self.asked: list[str] = []

    def get(self, name: str) -> str:
        self.asked.append(name)
        try:
            return self.values[name]
        except KeyError:
            raise SecretNotFoundError(name, "the test's dict") from None


class MemoryCatalog:
    """A catalog keeping file contents in a dict per run."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, bytes]] = {}
        self.versions: dict[str, bytes] = {}  # every content put, by sha256

    def put(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        entries = []
        for name in expand(patterns, work_dir, f"'{work_dir}'"):
            data = (work_dir / name).read_bytes()
            self.files.setdefault(run_id, {})[name] = data
            entry = _entry(name, "put", data)
            self.versions[entry.sha256] = data
            entries.append(entry)
        return entries

    def get(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        entries = []
        stored = self.files.get(run_id, {})
        for pattern in patterns:
            _check(pattern)
            names = match_names([pattern], list(stored), f"run {run_id}")
            if not names:
                raise CatalogError(f"catalog pattern {pattern!r} matches no file of run {run_id}")
            for name in names:
                (work_dir / name).parent.mkdir(parents=True, exist_ok=True)
                (work_dir / name).write_bytes(stored[name])
                entries.append(_entry(name, "get", stored[name]))
        return entries

    def restore(
        self, run_id: str, entries: Sequence[CatalogEntry], work_dir: Path
    ) -> list[CatalogEntry]:
        restored = []
        for entry in entries:
            data = self.versions.get(entry.sha256)
            if data is None:
                raise CatalogError(f"no version {entry.sha256} of {entry.name!r} in run {run_id}")
            if hashlib.sha256(data).hexdigest() != entry.sha256:
                raise CatalogError(f"file {entry.name!r} changed or was corrupted")
            (work_dir / entry.name).parent.mkdir(parents=True, exist_ok=True)
            (work_dir / entry.name).write_bytes(data)
            restored.append(_entry(entry.name, "get", data))
        return restored

    def location(self, run_id: str) -> str:
        return f"memory:{run_id}"


def _check(pattern: str) -> None:
    path = PurePosixPath(pattern)
    if not pattern.strip() or path.is_absolute() or ".." in path.parts:
        raise CatalogError(f"catalog pattern {pattern!r} escapes the working directory")


def _entry(name: str, stage: str, data: bytes) -> CatalogEntry:
    return CatalogEntry(name, stage, hashlib.sha256(data).hexdigest(), len(data))
