"""Secret values never appear in anything runplane writes, whichever executor and store.

Pipelines with distinctive secret values run (and fail on purpose, with the secrets in
the exception message) under the local and local-subprocess executors, on the buffered,
file-system, chunked-fs and S3 (moto) run log stores and the file-system and S3 catalogs,
are retried, shown, and rendered for Argo. Then every byte is scanned: the working folder
(run logs, catalog), every S3 object, every CLI stdout and stderr, the manifest.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import PIPELINES, Cli, needs_s3

pytestmark = pytest.mark.integration

SECRETS = {"alpha_key": "alpha-S3CR3T-7f1d9c", "beta_key": "beta-S3CR3T-22ab4e"}
ROOT = Path(__file__).resolve().parents[2]


def hits(data: bytes, where: str) -> list[str]:
    return [f"{where}: {name}" for name, value in SECRETS.items() if value.encode() in data]


def scan_folder(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            found += hits(path.read_bytes(), str(path.relative_to(folder)))
    return found


def scan_bucket(s3_client: Any, bucket: str) -> list[str]:
    found = []
    for item in s3_client.list_objects_v2(Bucket=bucket).get("Contents", []):
        body = s3_client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        found += hits(body, f"s3://{bucket}/{item['Key']}")
    return found


def config(executor: str, store: str, catalog: str, endpoint: str = "") -> str:
    s3 = {"bucket": "leaks", "endpoint_url": endpoint}
    stores = {
        "buffered": {"type": "buffered"},
        "file-system": {"type": "file-system", "config": {"log_folder": "logs"}},
        "chunked-fs": {"type": "chunked-fs", "config": {"log_folder": "logs"}},
        "s3": {"type": "s3", "config": {**s3, "prefix": "logs/"}},
    }
    catalogs = {
        "file-system": {"type": "file-system", "config": {"catalog_location": "cat"}},
        "s3": {"type": "s3", "config": {**s3, "prefix": "cat/"}},
    }
    return json.dumps(
        {
            "executor": {"type": executor},
            "run_log_store": stores[store],
            "catalog": catalogs[catalog],
        }
    )


class Scan:
    def __init__(self, cli: Cli, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.cli = cli
        self.env = {**(env or {}), **SECRETS}
        self.workdir = workdir
        self.found: list[str] = []
        self.calls = 0

    def __call__(self, *args: str, code: int | None = None) -> Any:
        result = self.cli(*args, env=self.env)
        self.calls += 1
        if code is not None:
            assert result.code == code, result.stdout + result.stderr
        self.found += hits(result.stdout.encode(), f"stdout of {args}")
        self.found += hits(result.stderr.encode(), f"stderr of {args}")
        return result


def exercise(scan: Scan, run_id: str, store: str) -> None:
    """Run (fails at 'explode'), show, list, retry (fails again), show the retry."""
    run = scan("run", "pipelines/leaky.py", "-c", "c.yaml", "--run-id", run_id, "--json", code=1)
    log = json.loads(run.stdout)
    explode = log["steps"]["explode"]
    assert len(explode["attempts"]) == 2
    assert "the service refused key ***" in explode["attempts"][0]["message"]
    assert "***" in explode["attempts"][0]["traceback"]
    assert log["steps"]["use_keys"]["returns"] == {"total": 37}
    assert log["steps"]["shell"]["status"] == "success"
    if store == "buffered":
        return  # the run log lives in the process that ran it
    scan("runs", "show", run_id, "-c", "c.yaml", "--json", code=0)
    scan("runs", "show", run_id, "-c", "c.yaml", code=0)
    scan("runs", "list", "-c", "c.yaml", code=0)
    scan("retry", run_id, "-c", "c.yaml", "--run-id", f"{run_id}-again", code=1)
    scan("runs", "show", f"{run_id}-again", "-c", "c.yaml", "--json", code=0)


@pytest.mark.parametrize(
    ("executor", "store", "catalog"),
    [
        ("local", "file-system", "file-system"),
        ("local-subprocess", "file-system", "file-system"),
        ("local", "chunked-fs", "file-system"),
        ("local-subprocess", "chunked-fs", "file-system"),
        ("local", "buffered", "file-system"),
    ],
)
@pytest.mark.usefixtures("pipelines")
def test_no_secret_in_local_stores(
    cli: Cli, workdir: Path, executor: str, store: str, catalog: str
) -> None:
    (workdir / "c.yaml").write_text(config(executor, store, catalog))
    scan = Scan(cli, workdir)
    exercise(scan, "leak-1", store)
    scan.found += scan_folder(workdir)
    assert (workdir / "cat" / "leak-1" / "report.txt").exists()  # the scan saw real output
    sys.stdout.write(f"{executor}/{store}: {scan.calls} commands, {len(scan.found)} hits\n")
    assert scan.found == []


@needs_s3
@pytest.mark.parametrize("executor", ["local", "local-subprocess"])
@pytest.mark.usefixtures("pipelines", "aws_env")
def test_no_secret_in_s3(
    cli: Cli, workdir: Path, executor: str, s3_endpoint: str, s3_client: Any
) -> None:
    s3_client.create_bucket(Bucket="leaks")
    (workdir / "c.yaml").write_text(config(executor, "s3", "s3", s3_endpoint))
    scan = Scan(cli, workdir, {k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    exercise(scan, "leak-s3", "s3")
    scan.found += scan_bucket(s3_client, "leaks") + scan_folder(workdir)
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket="leaks")["Contents"]]
    assert "cat/leak-s3/report.txt" in keys
    sys.stdout.write(f"{executor}/s3: {scan.calls} commands, {len(scan.found)} hits\n")
    assert scan.found == []


@pytest.mark.usefixtures("pipelines")
def test_no_secret_in_a_rendered_argo_manifest(cli: Cli, workdir: Path) -> None:
    shutil.copy(ROOT / "config" / "argo.yaml", workdir / "argo.yaml")
    scan = Scan(cli, workdir)
    rendered = scan("render", "pipelines/leaky.py", "-c", "argo.yaml", code=0)
    assert "kind: Workflow" in rendered.stdout
    assert "alpha_key" in rendered.stdout or "secret" in rendered.stdout.lower()
    scan("render", "pipelines/leaky.py", "-c", "argo.yaml", "-o", "wf.yaml", code=0)
    scan.found += scan_folder(workdir)
    assert (workdir / "wf.yaml").exists()
    assert scan.found == []


def test_the_leaky_pipeline_really_carries_the_secrets() -> None:
    """The scan is only meaningful if the secrets reached the steps: check the fixture."""
    source = (PIPELINES / "leaky.py").read_text()
    assert all(value not in source for value in SECRETS.values())
    assert sum(len(v) for v in SECRETS.values()) == 37
