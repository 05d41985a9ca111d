"""Runs the real `runplane` command in a subprocess, in a scratch working directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PIPELINES = Path(__file__).parent / "pipelines"
RUNPLANE = str(Path(sys.executable).parent / "runplane")


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


Cli = Callable[..., Result]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    return work


@pytest.fixture
def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPLANE_")}
    env["COLUMNS"] = "200"  # rich tables must not wrap step names in assertions
    return env


@pytest.fixture
def cli(workdir: Path, clean_env: dict[str, str]) -> Cli:
    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
        done = subprocess.run(
            [RUNPLANE, *args],
            cwd=cwd or workdir,
            env={**clean_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def pipelines(workdir: Path) -> Path:
    """The test pipelines, copied into the scratch directory."""
    target = workdir / "pipelines"
    shutil.copytree(PIPELINES, target)
    return target
