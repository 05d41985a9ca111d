"""S3 behind a proxy that fails a share of requests: runs still complete, hashes correct.

The proxy (tests/integration/fault_proxy.py) answers 500 or 503, or resets the connection
before or after the request reached the server. botocore's standard retries (with backoff)
absorb them; what a retry cannot absorb by itself (a conditional create that took effect
before its answer was lost) the adapters handle.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runplane.adapters.run_log_stores.s3 import S3RunLogStore, S3RunLogStoreConfig
from runplane.domain.errors import RunAlreadyExistsError, RunLogError
from runplane.testing.run_log_store import make_run
from tests.integration.conftest import RUNPLANE, needs_s3
from tests.integration.fault_proxy import KINDS, FaultProxy
from tests.integration.pipelines.files import CONTENTS

pytestmark = [pytest.mark.integration, needs_s3]

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed" / "pipeline.py"
RATE = 0.2  # one request in five fails
ATTEMPTS = "10"  # 0.2 ** 10: no request fails every attempt in practice


def config(endpoint: str) -> str:
    section = {"bucket": "faulty", "endpoint_url": endpoint, "max_attempts": int(ATTEMPTS)}
    return json.dumps(
        {
            "run_log_store": {"type": "s3", "config": {**section, "prefix": "runs/"}},
            "catalog": {"type": "s3", "config": {**section, "prefix": "files/"}},
        }
    )


def run(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUNPLANE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def proxy(s3_endpoint: str, s3_client: Any) -> Any:
    s3_client.create_bucket(Bucket="faulty")
    with FaultProxy(s3_endpoint, rate=RATE) as proxy:
        yield proxy


def stored(s3_client: Any, key: str) -> bytes:
    body: bytes = s3_client.get_object(Bucket="faulty", Key=key)["Body"].read()
    return body


def test_pipeline_with_catalog_files_completes_through_faults(
    proxy: FaultProxy, s3_client: Any, workdir: Path, clean_env: dict[str, str], aws_env: Any
) -> None:
    (workdir / "c.yaml").write_text(config(proxy.url))
    (workdir / "pipeline.py").write_text(
        (Path(__file__).parent / "pipelines" / "files.py").read_text()
    )
    env = {**clean_env, **aws_env}
    done = run(workdir, env, "run", "pipeline.py", "-c", "c.yaml", "--run-id", "faulty-1")
    assert done.returncode == 0, done.stderr
    log = json.loads(stored(s3_client, "runs/faulty-1/run.json"))
    assert log["status"] == "success"
    shown = run(workdir, env, "runs", "show", "faulty-1", "-c", "c.yaml", "--json")
    assert shown.returncode == 0, shown.stderr
    steps = json.loads(shown.stdout)["steps"]
    assert [s["status"] for s in steps.values()] == ["success"] * 3
    assert all(len(s["attempts"]) == 1 for s in steps.values())  # faults never reached a step
    expected = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in CONTENTS.items()}
    put = {e["name"]: e["sha256"] for e in steps["make"]["data_catalog"]}
    assert put == expected
    for name, sha256 in expected.items():  # what S3 holds is what was put
        assert hashlib.sha256(stored(s3_client, f"files/faulty-1/{name}")).hexdigest() == sha256
    got = {
        e["name"]: e["sha256"]
        for s in steps.values()
        for e in s["data_catalog"]
        if e["stage"] == "get"
    }
    assert got["blob.bin"] == expected["blob.bin"]
    assert got["raw/a.csv"] == expected["raw/a.csv"]
    assert json.loads(shown.stdout)["parameters"]["checked"] > 0
    # The faults did happen, of every kind.
    assert set(proxy.faults) == set(KINDS), proxy.faults
    sys.stdout.write(f"fault proxy: {dict(proxy.faults)} injected, {proxy.forwarded} forwarded\n")


def test_seed_example_completes_through_faults(
    proxy: FaultProxy, s3_client: Any, workdir: Path, clean_env: dict[str, str], aws_env: Any
) -> None:
    (workdir / "c.yaml").write_text(config(proxy.url))
    env = {**clean_env, **aws_env, "secret_key": "seed-secret"}
    for index in range(3):
        run_id = f"seed-{index}"
        done = run(workdir, env, "run", str(SEED), "-c", "c.yaml", "--run-id", run_id)
        assert done.returncode == 0, done.stderr
        data = stored(s3_client, f"files/{run_id}/data.csv")
        assert data == b"a,b\n1,2\n3,4\n"
        generate = json.loads(stored(s3_client, f"runs/{run_id}/steps/generate.json"))
        assert generate["data_catalog"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert sum(proxy.faults.values()) > 0


def lose_answer_of_first(method: str, marker: str) -> Any:
    """Reset the connection after the first matching request took effect, once."""
    done: list[bool] = []

    def decide(verb: str, path: str, headers: Any) -> str | None:
        if verb == method and marker in str(headers) + path and not done:
            done.append(True)
            return "reset-after"
        return None

    return decide


def test_create_whose_answer_was_lost_is_not_refused_as_a_duplicate(
    s3_endpoint: str, s3_client: Any
) -> None:
    s3_client.create_bucket(Bucket="faulty")
    with FaultProxy(s3_endpoint, decide=lose_answer_of_first("PUT", "run.json")) as proxy:
        config = {"bucket": "faulty", "endpoint_url": proxy.url}
        store = S3RunLogStore(S3RunLogStoreConfig.model_validate(config))
        store.create_run(make_run("lost-answer"))  # the retry finds its own header
        assert proxy.faults == {"reset-after": 1}
        assert store.get_run("lost-answer").run_id == "lost-answer"
        other = S3RunLogStore(S3RunLogStoreConfig.model_validate(config))
        with pytest.raises(RunAlreadyExistsError, match="'lost-answer' already exists"):
            other.create_run(make_run("lost-answer", "2026-02-02T00:00:00.000000+00:00"))


def test_retries_exhausted_is_a_clear_error_naming_the_object(
    s3_endpoint: str, s3_client: Any
) -> None:
    s3_client.create_bucket(Bucket="faulty")
    with FaultProxy(s3_endpoint, decide=lambda *_: "503") as proxy:
        config = {"bucket": "faulty", "endpoint_url": proxy.url, "max_attempts": 3}
        store = S3RunLogStore(S3RunLogStoreConfig.model_validate(config))
        with pytest.raises(RunLogError, match=r"s3://faulty/r/run\.json.*SlowDown") as raised:
            store.create_run(make_run("r"))
        assert proxy.faults["503"] >= 3  # retried, with backoff, then given up
        assert "max retries" in str(raised.value)
