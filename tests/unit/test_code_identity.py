"""The code identity recorded with every run: git commit, dirty flag and remote."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from runplane.app.code_identity import code_identity


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "dev@example.com")
    git(tmp_path, "config", "user.name", "dev")
    return tmp_path


def commit(repo: Path) -> str:
    (repo / "pipeline.py").write_text("x = 1\n")
    git(repo, "add", "pipeline.py")
    git(repo, "commit", "-q", "-m", "first")
    return git(repo, "rev-parse", "HEAD")


def test_outside_a_repository_the_package_version_identifies_the_code(tmp_path: Path) -> None:
    identity = code_identity(str(tmp_path))
    assert identity["type"] == "package"
    assert identity["runplane_version"]


def test_a_repository_without_commits_is_identified_by_the_package(repo: Path) -> None:
    assert code_identity(str(repo))["type"] == "package"


def test_a_clean_checkout_records_its_commit(repo: Path) -> None:
    head = commit(repo)
    identity = code_identity(str(repo))
    assert identity["type"] == "git"
    assert identity["commit"] == head
    assert identity["dirty"] is False
    assert identity["remote"] is None


def test_a_changed_tracked_file_makes_it_dirty_an_untracked_one_does_not(repo: Path) -> None:
    commit(repo)
    (repo / "notes.txt").write_text("untracked\n")
    assert code_identity(str(repo))["dirty"] is False
    (repo / "pipeline.py").write_text("x = 2\n")
    assert code_identity(str(repo))["dirty"] is True


def test_the_origin_remote_is_recorded(repo: Path) -> None:
    commit(repo)
    git(repo, "remote", "add", "origin", "https://example.com/team/pipelines.git")
    assert code_identity(str(repo))["remote"] == "https://example.com/team/pipelines.git"
