"""Secret values never appear in anything runplane writes, whichever executor and store.

Pipelines with distinctive secret values run (and fail on purpose, with the secrets in
the exception message) on a few pairs of local executor and run log store (buffered,
file-system, chunked-fs, S3 on moto with the S3 catalog), are retried, shown, listed and
rendered for Argo. Then every byte is scanned: the working folder (run logs, catalog),
every S3 object, every command's stdout and stderr, the manifest.

The property test pushes random values (unicode, quotes, backslashes, several lines)
through every channel of `pipelines/leak_channels.py`, each trial on the next setup of
`leak_trials.ROTATION`: the local, local-subprocess and Argo (the test interpreter)
executors, the file-system, chunked-fs and S3 stores, the env, dotenv and (fake) Vault
secret stores. Commands that only read run in this process, to keep the file fast.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from tests.integration import fake_vault
from tests.integration.conftest import PIPELINES, Cli, Result, needs_s3
from tests.integration.leak_trials import (
    NAMES,
    ROTATION,
    Setup,
    Trial,
    dotenv_holds,
    in_process,
)

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
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
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
    """Runs commands with the secrets in their environment and keeps every hit in output.

    Commands that run steps start the console script (its live echo is under test);
    the others run in this process (`leak_trials.in_process`), which saves a start-up each.
    """

    def __init__(self, cli: Cli, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.cli = cli
        self.env = {**(env or {}), **SECRETS}
        self.workdir = workdir
        self.found: list[str] = []
        self.calls = 0

    def __call__(self, *args: str, code: int) -> Result:
        if args[0] in {"run", "retry"}:
            result = self.cli(*args, env=self.env)
        else:
            env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPLANE_")}
            exit_code, out = in_process(self.workdir, {**env, **self.env}, *args)
            result = Result(exit_code, out.decode(errors="replace"), "")
        self.calls += 1
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
    shown = scan("runs", "show", run_id, "-c", "c.yaml", "--json", code=0)
    assert "the service refused key ***" in shown.stdout
    scan("runs", "show", run_id, "-c", "c.yaml", code=0)
    scan("runs", "list", "-c", "c.yaml", code=0)
    scan("retry", run_id, "-c", "c.yaml", "--run-id", f"{run_id}-again", code=1)
    scan("runs", "show", f"{run_id}-again", "-c", "c.yaml", "--json", code=0)


# Masking does not depend on the pair of executor and store (the service wraps every store
# in `MaskedRunLogStore`); these fixed values take a few pairs, the property test below
# goes round every pair.
@pytest.mark.parametrize(
    ("executor", "store", "catalog"),
    [
        ("local", "file-system", "file-system"),
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
@pytest.mark.usefixtures("pipelines", "aws_env")
def test_no_secret_in_s3(cli: Cli, workdir: Path, s3_endpoint: str, s3_client: Any) -> None:
    s3_client.create_bucket(Bucket="leaks")
    executor = "local-subprocess"
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
_setups: dict[str, tuple[Setup, int]] = {}


def setup_for(values: Any) -> tuple[Setup, int]:
    """The next setup of the rotation, and the trial's number; the same for the same values.

    Hypothesis runs a failing example again to confirm it: on the same setup, or the
    failure would be reported as flaky.
    """
    key = repr(values)
    if key not in _setups:
        trial = len(_setups)
        _setups[key] = ROTATION[trial % len(ROTATION)], trial
    return _setups[key]


#: Any printable text, quotes and backslashes included; no line breaks (lines are joined
#: below), no NUL or other control characters (an environment variable cannot hold NUL).
texture = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\"'\\\t $"),
    max_size=12,
)
#: One to three lines; each starts with a nonce (fresh per trial), so any part of a value
#: that escapes masking, in any encoding, shows its nonce to the scan.
lines = st.lists(texture, min_size=1, max_size=3)


@pytest.mark.skipif(not ROTATION, reason="needs hvac, hera, or boto3 and moto[server]")
@settings(
    # Trials take the setups of ROTATION in turn: the default three cover every executor,
    # store and secret store; the long run goes round all nine several times.
    max_examples=40 if LONG else 3,
    # No shrinking: each try is a whole run (on another setup), and the failure already
    # names the setup and the values.
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(values=st.tuples(lines, lines))
def test_random_secret_values_never_leak_through_any_channel(
    values: tuple[list[str], list[str]],
    vault_server: fake_vault.FakeVault,
    request: pytest.FixtureRequest,
) -> None:
    nonces = [f"Nz{uuid.uuid4().hex[:10]}" for _ in range(sum(map(len, values)))]
    numbered = iter(nonces)
    secrets = {
        name: "\n".join(next(numbered) + line for line in value_lines)
        for name, value_lines in zip(NAMES, values, strict=True)
    }
    with tempfile.TemporaryDirectory(prefix="runplane-leak-") as scratch:
        assume(dotenv_holds(secrets, Path(scratch)))  # before taking a setup: every setup runs
        setup, trial = setup_for(values)
        run = Trial(setup, Path(scratch), secrets, vault_server)
        if setup.store == "s3":
            run.moto_url = request.getfixturevalue("moto_url")
            run.bucket = f"leaks-{trial}-{uuid.uuid4().hex[:6]}"  # a new one, if run again
            run.s3 = s3_client(run.moto_url)
        run.run()
        written = dict(run.written())
    # The values reached the steps and were printed (masked), or the scan proves nothing.
    holder_log = [data for where, data in written.items() if where.endswith("holder/attempt-1.log")]
    assert len(holder_log) == 1, sorted(written)
    assert b"***" in holder_log[0]
    assert b"KeyError: ***" in run.printed[-5], setup  # `runs show --json`
    leaks = [
        f"{where}: {nonce}"
        for where, data in [*written.items(), *(("printed", out) for out in run.printed)]
        for nonce in nonces
        if nonce.encode() in data
    ]
    sys.stdout.write(f"{setup}: {len(written)} written, {len(run.printed)} printed\n")
    assert leaks == [], f"{setup}: {secrets!r}"


def s3_client(url: str) -> Any:
    import boto3  # noqa: PLC0415  (the S3 setups are left out without it)
    from botocore.config import Config  # noqa: PLC0415

    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(s3={"addressing_style": "path"}),
    )
