"""The contracts every catalog passes: subclass, override the `catalog` fixture."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from runplane.domain.errors import CatalogError
from runplane.domain.run_log import CatalogEntry
from runplane.ports.catalog import Catalog


class CatalogContract:
    """Behaviour every Catalog has, including ones that store nothing."""

    @pytest.fixture
    def catalog(self) -> Catalog:
        raise NotImplementedError

    @pytest.mark.parametrize("pattern", ["../outside.csv", "/etc/passwd", "a/../../b", " "])
    def test_patterns_escaping_the_working_directory_are_rejected(
        self, catalog: Catalog, tmp_path: Path, pattern: str
    ) -> None:
        with pytest.raises(CatalogError, match="escapes the working directory"):
            catalog.put("run-1", [pattern], tmp_path)
        with pytest.raises(CatalogError, match="escapes the working directory"):
            catalog.get("run-1", [pattern], tmp_path)

    def test_location_is_text(self, catalog: Catalog) -> None:
        assert isinstance(catalog.location("run-1"), str)

    def test_restoring_nothing_copies_nothing(self, catalog: Catalog, tmp_path: Path) -> None:
        empty = tmp_path / "empty"
        empty.mkdir()
        assert catalog.restore("run-1", [], empty) == []
        assert list(empty.iterdir()) == []


class CatalogStorageContract(CatalogContract):
    """Behaviour of catalogs that keep files: round trips, hashes, isolation per run."""

    @pytest.fixture
    def work(self, tmp_path: Path) -> Path:
        work = tmp_path / "work"
        (work / "data" / "deep").mkdir(parents=True)
        (work / "data.csv").write_text("a,b\n1,2\n")
        (work / "data" / "one.txt").write_bytes(b"\x00\x01" * 1000)
        (work / "data" / "deep" / "two.txt").write_text("two")
        return work

    def test_put_records_sha256_and_size_of_each_file(self, catalog: Catalog, work: Path) -> None:
        entries = catalog.put("run-1", ["data.csv"], work)
        content = (work / "data.csv").read_bytes()
        assert [(e.name, e.stage, e.size) for e in entries] == [("data.csv", "put", len(content))]
        assert entries[0].sha256 == hashlib.sha256(content).hexdigest()

    def test_get_brings_back_identical_files(
        self, catalog: Catalog, work: Path, tmp_path: Path
    ) -> None:
        put = catalog.put("run-1", ["data.csv", "data"], work)
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        got = catalog.get("run-1", ["data.csv", "data/**/*.txt"], elsewhere)
        assert sorted(e.name for e in got) == sorted(e.name for e in put)
        assert {e.name: e.sha256 for e in got} == {e.name: e.sha256 for e in put}
        for entry in got:
            assert (elsewhere / entry.name).read_bytes() == (work / entry.name).read_bytes()
            assert entry.stage == "get"

    def test_a_directory_is_put_whole(self, catalog: Catalog, work: Path) -> None:
        names = sorted(e.name for e in catalog.put("run-1", ["data"], work))
        assert names == ["data/deep/two.txt", "data/one.txt"]

    def test_put_pattern_matching_nothing_names_the_pattern(
        self, catalog: Catalog, work: Path
    ) -> None:
        with pytest.raises(CatalogError, match=r"missing\*\.csv"):
            catalog.put("run-1", ["missing*.csv"], work)

    def test_get_of_a_file_the_run_never_put_fails(self, catalog: Catalog, work: Path) -> None:
        catalog.put("run-1", ["data.csv"], work)
        with pytest.raises(CatalogError, match=r"other\.csv"):
            catalog.get("run-1", ["other.csv"], work)

    def test_runs_are_kept_apart(self, catalog: Catalog, work: Path, tmp_path: Path) -> None:
        catalog.put("run-1", ["data.csv"], work)
        with pytest.raises(CatalogError):
            catalog.get("run-2", ["data.csv"], tmp_path)

    def test_put_again_replaces_the_file(
        self, catalog: Catalog, work: Path, tmp_path: Path
    ) -> None:
        catalog.put("run-1", ["data.csv"], work)
        (work / "data.csv").write_text("new")
        catalog.put("run-1", ["data.csv"], work)
        catalog.get("run-1", ["data.csv"], tmp_path)
        assert (tmp_path / "data.csv").read_text() == "new"

    def test_many_files_in_nested_folders_come_back_with_their_hashes(
        self, catalog: Catalog, tmp_path: Path
    ) -> None:
        work = tmp_path / "many"
        contents = {
            f"tree/{a}/{b}/f{i}.bin": bytes([i, a, b]) * (100 * i + 1)
            for a in range(3)
            for b in range(2)
            for i in range(8)
        }
        for name, content in contents.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_bytes(content)
        put = catalog.put("run-1", ["tree"], work)
        back = tmp_path / "back"
        back.mkdir()
        got = catalog.get("run-1", ["tree/**/*.bin"], back)
        expected = {name: hashlib.sha256(c).hexdigest() for name, c in contents.items()}
        assert {e.name: e.sha256 for e in put} == expected
        assert {e.name: e.sha256 for e in got} == expected
        assert {e.name: e.size for e in got} == {n: len(c) for n, c in contents.items()}
        for name, content in contents.items():
            assert (back / name).read_bytes() == content

    def test_restore_brings_back_each_version_a_name_was_put_with(
        self, catalog: Catalog, work: Path, tmp_path: Path
    ) -> None:
        contents = [b"first", b"second", b"third"]
        puts = []
        for content in contents:
            (work / "acc.txt").write_bytes(content)
            puts += catalog.put("run-1", ["acc.txt"], work)
        for content, entry in zip(contents, puts, strict=True):
            back = tmp_path / f"back-{entry.sha256[:8]}"
            back.mkdir()
            restored = catalog.restore("run-1", [entry], back)
            assert (back / "acc.txt").read_bytes() == content
            assert [(e.name, e.stage, e.sha256) for e in restored] == [
                ("acc.txt", "get", entry.sha256)
            ]
        latest = tmp_path / "latest"
        latest.mkdir()
        catalog.get("run-1", ["acc.txt"], latest)  # get still brings the latest version
        assert (latest / "acc.txt").read_bytes() == b"third"

    def test_restore_keeps_names_with_glob_characters_and_folders(
        self, catalog: Catalog, work: Path, tmp_path: Path
    ) -> None:
        (work / "out").mkdir()
        (work / "out" / "data[1].csv").write_text("literal")
        entries = catalog.put("run-1", ["out/data[[]1].csv"], work)
        assert [e.name for e in entries] == ["out/data[1].csv"]
        catalog.restore("run-1", entries, tmp_path)
        assert (tmp_path / "out" / "data[1].csv").read_text() == "literal"

    def test_restore_of_a_version_never_put_fails_naming_the_file(
        self, catalog: Catalog, work: Path, tmp_path: Path
    ) -> None:
        catalog.put("run-1", ["data.csv"], work)
        never = CatalogEntry("data.csv", "put", hashlib.sha256(b"never").hexdigest(), 5)
        with pytest.raises(CatalogError, match=r"data\.csv"):
            catalog.restore("run-1", [never], tmp_path)
        assert not (tmp_path / "data.csv").exists()
