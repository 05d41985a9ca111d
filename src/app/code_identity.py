"""What code a run ran: the git commit and dirty flag, else runplane's version."""

from __future__ import annotations

import subprocess
from importlib.metadata import PackageNotFoundError, version
from typing import Any


def code_identity(cwd: str | None = None) -> dict[str, Any]:
    """Identify the code in `cwd` (git commit, dirty flag, remote) once per run."""
    identity: dict[str, Any] = {"runplane_version": _runplane_version()}
    commit = _git(cwd, "rev-parse", "HEAD")
    if commit is None:
        identity["type"] = "package"
        return identity
    status = _git(cwd, "status", "--porcelain", "--untracked-files=no")
    identity.update(
        type="git",
        commit=commit,
        dirty=bool(status),
        remote=_git(cwd, "config", "--get", "remote.origin.url"),
    )
    return identity


def _git(cwd: str | None, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _runplane_version() -> str:
    try:
        return version("runplane")
    except PackageNotFoundError:
        return "unknown"
