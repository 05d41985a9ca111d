"""What code a run ran: the git commit and dirty flag, else runplane's version."""

from __future__ import annotations

import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any


def code_identity(cwd: str | None = None) -> dict[str, Any]:
    """Identify the code in `cwd` (git commit, dirty flag, remote) once per run.

    Two git processes run side by side: `status --porcelain=v2 --branch` gives the commit
    and the dirty flag in one call, `config` gives the remote.
    """
    status = _start(cwd, "status", "--porcelain=v2", "--branch", "--untracked-files=no")
    remote = _start(cwd, "config", "--get", "remote.origin.url")
    identity: dict[str, Any] = {"runplane_version": _runplane_version()}
    lines = (_finish(status) or "").splitlines()
    remote_url = _finish(remote)
    commit = next((line.split()[2] for line in lines if line.startswith("# branch.oid ")), None)
    if commit is None or commit == "(initial)":  # not a repository, or no commit yet
        identity["type"] = "package"
        return identity
    dirty = any(not line.startswith("#") for line in lines)
    identity.update(type="git", commit=commit, dirty=dirty, remote=remote_url)
    return identity


def _start(cwd: str | None, *args: str) -> subprocess.Popen[str] | None:
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
    except OSError:  # no git installed
        return None


def _finish(process: subprocess.Popen[str] | None) -> str | None:
    """The command's output, or None if it failed or hung."""
    if process is None:
        return None
    try:
        out, _ = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    return out.strip() if process.returncode == 0 else None


@cache
def _runplane_version() -> str:
    try:
        return version("runplane")
    except PackageNotFoundError:
        return "unknown"
