"""Disk full and unwritable folders under the file-system stores and catalog.

Tests run as root here, so chmod cannot deny anything. Instead:
- "file too large" (EFBIG) stands for a full disk: runplane runs with RLIMIT_FSIZE set
  (SIGXFSZ ignored, so the write fails instead of killing the process), and the write that
  crosses the limit fails half-way, exactly where a full disk would stop it;
- a regular file where a folder is expected makes every create fail (ENOTDIR), as an
  unwritable or missing mount does.
"""

from __future__ import annotations

import json
import resource
import signal
import subprocess
from pathlib import Path

import pytest

from tests.integration.conftest import RUNPLANE, Cli

pytestmark = pytest.mark.integration

LIMIT = 100_000  # bytes a file may grow to: the run starts, the 200 kB step record does not fit
STORES = ["file-system", "chunked-fs"]


def limited() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def run_limited(workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUNPLANE, *args], cwd=workdir, env=env, preexec_fn=limited,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def config(workdir: Path, store: str, log_folder: str = "logs", catalog: str = "cat") -> str:
    sections = {
        "run_log_store": {"type": store, "config": {"log_folder": log_folder}},
        "catalog": {"type": "file-system", "config": {"catalog_location": catalog}},
    }
    (workdir / "c.yaml").write_text(json.dumps(sections))
    return "c.yaml"


@pytest.mark.parametrize("store", STORES)
@pytest.mark.usefixtures("pipelines")
def test_full_disk_while_recording_a_step_fails_the_run_cleanly(
    cli: Cli, workdir: Path, clean_env: dict[str, str], store: str
) -> None:
    conf = config(workdir, store)
    done = run_limited(workdir, clean_env, "run", "pipelines/big_return.py", "-c", conf,
                       "--run-id", "full")  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    flat = " ".join(done.stderr.split())
    assert "run log error: cannot" in flat
    assert "File too large" in flat
    assert "logs/full" in flat  # names where

    shown = cli("runs", "show", "full", "-c", conf, "--json")
    assert shown.code == 0, shown.stderr
    log = shown.json()
    assert log["status"] == "fail"  # the header still fitted: the run is closed, not left open
    assert "File too large" in log["message"]
    assert log["steps"]["small"]["status"] == "success"
    assert "after" not in log["steps"]
    leftovers = [p.name for p in (workdir / "logs").rglob("*.tmp")]
    assert leftovers == []  # no half-written temporary copies
    if store == "file-system":  # every journal line is a whole record
        for line in (workdir / "logs" / "full" / "steps.jsonl").read_bytes().splitlines():
            json.loads(line)

    (workdir / "small-now").touch()  # space again: retry finishes the run
    again = cli("retry", "full", "-c", conf, "--run-id", "full-2")
    assert again.code == 0, again.stderr
    final = cli("runs", "show", "full-2", "-c", conf, "--json").json()
    assert final["status"] == "success"
    assert final["steps"]["small"]["reused_from"] == "full"


@pytest.mark.usefixtures("pipelines")
def test_full_disk_in_the_catalog_fails_the_step_with_the_reason(
    cli: Cli, workdir: Path, clean_env: dict[str, str]
) -> None:
    conf = config(workdir, "chunked-fs")
    (workdir / "big.bin").write_bytes(b"b" * (LIMIT * 2))
    done = run_limited(workdir, clean_env, "run", "pipelines/put_big.py", "-c", conf,
                       "--run-id", "cat-full")  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    log = cli("runs", "show", "cat-full", "-c", conf, "--json").json()
    assert log["status"] == "fail"
    message = log["steps"]["put_file"]["attempts"][0]["message"]
    assert "cannot copy 'big.bin'" in message or "big.bin" in message
    assert "File too large" in message
    # No torn copy: not under its name, nor where a failed attempt's files are kept.
    assert [p for p in (workdir / "cat").rglob("*") if not p.is_dir()] == []


@pytest.mark.parametrize("store", STORES)
@pytest.mark.usefixtures("pipelines")
def test_run_log_folder_that_cannot_be_made_is_a_clear_error(
    cli: Cli, workdir: Path, store: str
) -> None:
    (workdir / "blocker").write_text("a file where the run log folder should be")
    conf = config(workdir, store, log_folder="blocker/logs")
    done = cli("run", "pipelines/failing.py", "-c", conf, "--run-id", "r1")
    assert done.code == 2
    assert "Traceback" not in done.stderr
    flat = " ".join(done.stderr.split())
    assert "run log error: cannot create run folder 'blocker/logs/r1'" in flat
    assert "Not a directory" in flat


@pytest.mark.usefixtures("pipelines")
def test_catalog_folder_that_cannot_be_made_fails_the_step(cli: Cli, workdir: Path) -> None:
    (workdir / "blocker").write_text("a file where the catalog should be")
    (workdir / "big.bin").write_text("small enough")
    conf = config(workdir, "file-system", catalog="blocker/cat")
    done = cli("run", "pipelines/put_big.py", "-c", conf, "--run-id", "r2")
    assert done.code == 1
    assert "Traceback" not in done.stderr
    log = cli("runs", "show", "r2", "-c", conf, "--json").json()
    assert log["status"] == "fail"
    message = log["steps"]["put_file"]["attempts"][0]["message"]
    assert "blocker/cat/r2/big.bin" in message
    assert "Not a directory" in message
