"""The file-system catalog's content-addressed versions: links where possible, copies else."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from runplane.adapters.catalogs.file_system import FileSystemCatalog, FileSystemCatalogConfig


def catalog_at(tmp_path: Path) -> FileSystemCatalog:
    return FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(tmp_path / "cat")))


def version_path(tmp_path: Path, content: bytes) -> Path:
    sha = hashlib.sha256(content).hexdigest()
    return tmp_path / "cat" / ".versions" / sha


def test_a_version_is_a_hard_link_of_the_file_put(tmp_path: Path) -> None:
    (tmp_path / "acc.txt").write_bytes(b"one")
    catalog_at(tmp_path).put("r1", ["acc.txt"], tmp_path)
    kept = version_path(tmp_path, b"one")
    assert kept.read_bytes() == b"one"
    assert kept.stat().st_ino == (tmp_path / "cat" / "r1" / "acc.txt").stat().st_ino
    (tmp_path / "acc.txt").write_bytes(b"two")
    catalog_at(tmp_path).put("r1", ["acc.txt"], tmp_path)  # replaces the run's file...
    assert kept.read_bytes() == b"one"  # ...not the version (a new inode is renamed in)
    assert kept.stat().st_nlink == 1


def test_where_links_are_refused_the_version_is_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: str, target: str) -> None:
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / "acc.txt").write_bytes(b"one")
    entries = catalog_at(tmp_path).put("r1", ["acc.txt"], tmp_path)
    kept = version_path(tmp_path, b"one")
    assert kept.read_bytes() == b"one"
    assert kept.stat().st_ino != (tmp_path / "cat" / "r1" / "acc.txt").stat().st_ino
    back = tmp_path / "back"
    back.mkdir()
    catalog_at(tmp_path).restore("r1", entries, back)
    assert (back / "acc.txt").read_bytes() == b"one"


def test_a_catalog_from_before_versions_restores_from_the_run_folder(tmp_path: Path) -> None:
    (tmp_path / "acc.txt").write_bytes(b"one")
    entries = catalog_at(tmp_path).put("r1", ["acc.txt"], tmp_path)
    version_path(tmp_path, b"one").unlink()
    back = tmp_path / "back"
    back.mkdir()
    catalog_at(tmp_path).restore("r1", entries, back)
    assert (back / "acc.txt").read_bytes() == b"one"
