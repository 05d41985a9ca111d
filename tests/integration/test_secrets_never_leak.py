"""Secret values never appear in anything runplane writes, whichever executor and store.

Pipelines with distinctive secret values run (and fail on purpose, with the secrets in
the exception message) under the local and local-subprocess executors, on the buffered,
file-system, chunked-fs and S3 (moto) run log stores and the file-system and S3 catalogs,
are retried, shown, and rendered for Argo. Then every byte is scanned: the working folder
(run logs, catalog), every S3 object, every CLI stdout and stderr, the manifest.

The property test does the same with random values (unicode, quotes, backslashes, several
lines) pushed through every channel of `pipelines/leak_channels.py`, on both local
executors, both file run log stores and the env, dotenv and (fake) Vault secret stores.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.integration import fake_vault
from tests.integration.conftest import PIPELINES, RUNPLANE, Cli, needs_hvac, needs_s3

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


# -- random values through every channel -----------------------------------------------

LONG = os.environ.get("RUNPLANE_LONG_TESTS") == "1"
NAMES = ("key_one", "key_two")
EXECUTORS = ("local", "local-subprocess")
STORES = ("file-system", "chunked-fs")
SECRET_STORES = ("env", "dotenv", "vault")
_trial = itertools.count()

#: Any printable text, quotes and backslashes included; no line breaks (lines are joined
#: below), no NUL or other control characters (an environment variable cannot hold NUL).
texture = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\"'\\\t $"),
    max_size=12,
)
#: One to three lines; each starts with a nonce (fresh per trial), so any part of a value
#: that escapes masking, in any encoding, shows its nonce to the scan.
lines = st.lists(texture, min_size=1, max_size=3)


def dotenv_line(name: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{name}="{escaped}"\n'


def secret_store(kind: str, work: Path, values: dict[str, str], vault: Any) -> dict[str, Any]:
    """Put the values where the store `kind` reads them; its config section and environment."""
    if kind == "env":
        return {"section": {"type": "env-secrets-manager"}, "env": values}
    if kind == "dotenv":
        (work / ".env").write_text("".join(dotenv_line(k, v) for k, v in values.items()))
        assume(dotenv_values(work / ".env") == values)  # a value python-dotenv cannot hold
        return {"section": {"type": "dotenv"}, "env": {}}
    vault.write("secret", "leaks", values)
    section = {"url": vault.url, "path": "leaks", "timeout": 5}
    return {"section": {"type": "vault", "config": section}, "env": {"VAULT_TOKEN": "root-token"}}


def runplane(work: Path, env: dict[str, str], *args: str) -> tuple[int, bytes]:
    done = subprocess.run(
        [RUNPLANE, *args], cwd=work, env=env, capture_output=True, timeout=180, check=False
    )
    return done.returncode, done.stdout + done.stderr


def every_byte(work: Path) -> Any:
    for path in work.rglob("*"):
        if path.is_file() and path.name != ".env":  # the dotenv store's own file
            yield str(path.relative_to(work)), path.read_bytes()


@needs_hvac
@settings(
    max_examples=40 if LONG else 3,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(values=st.tuples(lines, lines))
def test_random_secret_values_never_leak_through_any_channel(
    values: tuple[list[str], list[str]], vault_server: fake_vault.FakeVault
) -> None:
    trial = next(_trial)
    executor, store = EXECUTORS[trial % 2], STORES[trial // 2 % 2]
    nonces = [f"Nz{uuid.uuid4().hex[:10]}" for _ in range(sum(map(len, values)))]
    numbered = iter(nonces)
    secrets = {
        name: "\n".join(next(numbered) + line for line in value_lines)
        for name, value_lines in zip(NAMES, values, strict=True)
    }
    with tempfile.TemporaryDirectory(prefix="runplane-leak-") as scratch:
        work = Path(scratch)
        shutil.copy(PIPELINES / "leak_channels.py", work / "pipeline.py")
        where = secret_store(SECRET_STORES[trial % 3], work, secrets, vault_server)
        (work / "c.yaml").write_text(
            json.dumps(
                {
                    "executor": {"type": executor, "config": {"max_workers": 2}},
                    "run_log_store": {"type": store, "config": {"log_folder": "logs"}},
                    "catalog": {"type": "file-system", "config": {"catalog_location": "cat"}},
                    "secrets": where["section"],
                }
            )
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNPLANE_", "VAULT_"))}
        env.update(where["env"], COLUMNS="200", NO_PROXY="127.0.0.1,localhost", HOME=scratch)
        printed = []
        code, out = runplane(work, env, "run", "pipeline.py", "-c", "c.yaml", "--run-id", "r")
        printed.append(out)
        assert code == 1, out.decode(errors="replace")  # `explode` fails, twice
        for args in (
            ("runs", "show", "r", "--json"),
            ("runs", "show", "r"),
            ("runs", "logs", "r", "both.hold.holder"),
            ("runs", "logs", "r", "both.peek.peeker"),
            ("runs", "logs", "r", "shell"),
        ):
            code, out = runplane(work, env, *args, "-c", "c.yaml")
            assert code == 0, out.decode(errors="replace")
            printed.append(out)
        written = dict(every_byte(work))
    # The values reached the steps and were printed (masked), or the scan proves nothing.
    assert b"***" in written["cat/r/logs/both.hold.holder/attempt-1.log"]
    assert b"KeyError: ***" in printed[1]
    leaks = [
        f"{where_}: {nonce}"
        for where_, data in [*written.items(), *(("printed", out) for out in printed)]
        for nonce in nonces
        if nonce.encode() in data
    ]
    assert leaks == [], f"{executor}/{store}/{SECRET_STORES[trial % 3]}: {secrets!r}"
