"""`match_names` (globbing over object keys) agrees with `expand` (globbing a folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runplane.adapters._shared.globbing import expand, match_names
from runplane.domain.errors import CatalogError

FILES = [
    "data.csv",
    "x.csv",
    ".env",
    "data/one.txt",
    "data/two.TXT",
    "data/deep/three.txt",
    "data/deep/.hidden",
    "data/deep/deeper/four.bin",
    "models/m[1].pkl",
    "models/v2/weights.bin",
]

PATTERNS = [
    "*.csv",
    "*",
    ".*",
    "data",
    "data/",
    "./data",
    "data/*",
    "data/*.txt",
    "data/**",
    "data/**/*.txt",
    "**/*.txt",
    "**/deep",
    "**",
    "*/*/*",
    "?ata.csv",
    "[dx]*.csv",
    "[!d]*.csv",
    "models/m[[]1].pkl",
    "models/*/weights.bin",
    "data/deep/deeper",
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    return tmp_path


@pytest.mark.parametrize("pattern", PATTERNS)
def test_same_files_as_the_folder_glob(tree: Path, pattern: str) -> None:
    assert sorted(match_names([pattern], FILES, "keys")) == sorted(expand([pattern], tree, "dir"))


def test_several_patterns_give_each_file_once() -> None:
    names = match_names(["data", "**/*.txt", "data/one.txt"], FILES, "keys")
    assert len(names) == len(set(names))
    assert "data/one.txt" in names


def test_case_matters() -> None:
    assert match_names(["data/*.txt"], FILES, "keys") == ["data/one.txt"]


def test_a_pattern_matching_nothing_names_pattern_and_place() -> None:
    with pytest.raises(CatalogError, match=r"'nope/\*' matches no file in the catalog of run r1"):
        match_names(["data.csv", "nope/*"], FILES, "the catalog of run r1")


@pytest.mark.parametrize("pattern", ["../x", "/etc/passwd", "a/**b"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(CatalogError):
        match_names([pattern], FILES, "keys")


def test_many_keys_stay_fast() -> None:
    keys = [f"part/{i // 100}/{i}.parquet" for i in range(20_000)]
    assert len(match_names(["part", "**/*.parquet"], keys, "keys")) == 20_000


def test_a_name_with_glob_characters_is_taken_literally_when_the_glob_matches_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "data[1].csv").write_text("x")
    names = ["out/data[1].csv"]
    assert expand(["out/data[1].csv"], tmp_path, "here") == names
    assert match_names(["out/data[1].csv"], names, "here") == names
    assert expand(["out/data[[]1].csv"], tmp_path, "here") == names  # escaped: glob.escape
    assert match_names(["out/data[[]1].csv"], names, "here") == names


def test_a_glob_that_matches_wins_over_the_literal_name(tmp_path: Path) -> None:
    (tmp_path / "data[1].csv").write_text("literal")
    (tmp_path / "data1.csv").write_text("globbed")
    assert expand(["data[1].csv"], tmp_path, "here") == ["data1.csv"]
    assert match_names(["data[1].csv"], ["data[1].csv", "data1.csv"], "here") == ["data1.csv"]
