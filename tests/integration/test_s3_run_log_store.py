"""The S3 run log store against moto's S3 server, over HTTP, exactly as against AWS."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from runplane.adapters.run_log_stores import s3_lease
from runplane.adapters.run_log_stores.s3 import S3RunLogStore, S3RunLogStoreConfig
from runplane.domain.errors import (
    ConfigurationError,
    RunAlreadyExistsError,
    RunInUseError,
    RunLogError,
    RunLogNotFoundError,
)
from runplane.domain.run_log import Status
from runplane.ports.run_log_store import RunLogStore
from runplane.testing.leases import RunLeasesContract
from runplane.testing.run_log_store import (
    RunLogStoreConcurrencyContract,
    RunLogStoreContract,
    make_run,
    make_step,
)
from tests.integration import moto_server
from tests.integration.conftest import needs_s3

pytestmark = [pytest.mark.integration, needs_s3]


def make_store(endpoint: str, bucket: str, **extra: Any) -> S3RunLogStore:
    config = {"bucket": bucket, "prefix": "run_logs/", "endpoint_url": endpoint, **extra}
    return S3RunLogStore(S3RunLogStoreConfig.model_validate(config))


class TestS3RunLogStore(RunLogStoreContract, RunLeasesContract):
    @pytest.fixture
    def store(self, s3_endpoint: str, bucket: str) -> RunLogStore:
        return make_store(s3_endpoint, bucket)


class TestS3RunLogStoreConcurrency(RunLogStoreConcurrencyContract):
    """Writer processes inherit the test's AWS_* environment, so they reach the same server."""

    @pytest.fixture
    def store_factory(self, s3_endpoint: str, bucket: str) -> Callable[[], RunLogStore]:
        return functools.partial(make_store, s3_endpoint, bucket)


def test_one_object_per_header_and_per_step(s3_endpoint: str, bucket: str, s3_client: Any) -> None:
    store = make_store(s3_endpoint, bucket)
    store.create_run(make_run("r1"))
    store.put_step("r1", make_step("map.1.inner task"))
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(keys) == ["run_logs/r1/run.json", "run_logs/r1/steps/map.1.inner task.json"]
    body = s3_client.get_object(Bucket=bucket, Key="run_logs/r1/run.json")["Body"].read()
    assert "steps" not in json.loads(body)  # the header never carries the steps
    assert store.location("r1") == f"s3://{bucket}/run_logs/r1/"


def test_concurrent_writers_lose_no_step_record(s3_endpoint: str, bucket: str) -> None:
    # Eight writers with their own store objects stand for eight pods of one Argo run.
    make_store(s3_endpoint, bucket).create_run(make_run("fan"))
    writers, per_writer = 8, 25

    def write(writer: int) -> None:
        store = make_store(s3_endpoint, bucket)
        for index in range(per_writer):
            start = f"2026-01-01T00:{writer:02d}:{index:02d}.000000+00:00"
            store.put_step("fan", make_step(f"map.{writer}.step{index}", start))

    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(write, range(writers)))
    run = make_store(s3_endpoint, bucket).get_run("fan")
    expected = {f"map.{w}.step{i}" for w in range(writers) for i in range(per_writer)}
    assert set(run.steps) == expected
    starts = [s.start_time or "" for s in run.steps.values()]
    assert starts == sorted(starts)


def test_racing_creators_of_one_run_id_only_one_wins(s3_endpoint: str, bucket: str) -> None:
    stores = [make_store(s3_endpoint, bucket) for _ in range(6)]

    def create(store: S3RunLogStore) -> str:
        try:
            store.create_run(make_run("contended"))
        except RunAlreadyExistsError:
            return "refused"
        return "created"

    with ThreadPoolExecutor(max_workers=len(stores)) as pool:
        outcomes = list(pool.map(create, stores))
    assert sorted(outcomes) == ["created"] + ["refused"] * 5


def test_runs_under_other_prefixes_are_not_listed(s3_endpoint: str, bucket: str) -> None:
    make_store(s3_endpoint, bucket, prefix="team-a").create_run(make_run("a1"))
    make_store(s3_endpoint, bucket, prefix="team-b/").create_run(make_run("b1"))
    assert [r.run_id for r in make_store(s3_endpoint, bucket, prefix="/team-a/").list_runs()] == [
        "a1"
    ]
    with pytest.raises(RunLogNotFoundError):
        make_store(s3_endpoint, bucket, prefix="team-b").get_run("a1")


def test_a_long_run_reads_back_whole(s3_endpoint: str, bucket: str) -> None:
    store = make_store(s3_endpoint, bucket, read_concurrency=4)
    store.create_run(make_run("long"))

    def put(index: int) -> None:
        step = make_step(f"s{index}", f"2026-01-01T00:00:00.{index:06d}+00:00")
        step.status = Status.FAIL if index == 7 else Status.SUCCESS
        store.put_step("long", step)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, range(1050)))  # more than one list page (1000 keys)
    run = store.get_run("long")
    assert list(run.steps) == [f"s{i}" for i in range(1050)]
    assert run.steps["s7"].status is Status.FAIL


def test_missing_bucket_is_named(s3_endpoint: str) -> None:
    store = make_store(s3_endpoint, "no-such-bucket")
    with pytest.raises(RunLogError, match="bucket 'no-such-bucket' does not exist") as caught:
        store.create_run(make_run("r1"))
    assert "s3://no-such-bucket/run_logs/r1/run.json" in str(caught.value)
    for call in (lambda: store.get_run("r1"), lambda: store.put_step("r1", make_step())):
        with pytest.raises(RunLogError, match="no-such-bucket") as caught:
            call()
        assert not isinstance(caught.value, RunLogNotFoundError)
    with pytest.raises(RunLogError, match="bucket 'no-such-bucket' does not exist"):
        store.list_runs()


def test_credentials_from_a_named_profile(
    s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = make_store(s3_endpoint, bucket, profile="runplane-test")
    store.create_run(make_run("by-profile"))
    assert [r.run_id for r in store.list_runs()] == ["by-profile"]
    with pytest.raises(ConfigurationError, match="no-such-profile"):
        make_store(s3_endpoint, bucket, profile="no-such-profile").list_runs()


def test_unreachable_endpoint_is_a_run_log_error(bucket: str) -> None:
    store = make_store(
        f"http://127.0.0.1:{moto_server.free_port()}", bucket, max_attempts=1, connect_timeout=1
    )
    with pytest.raises(RunLogError, match="cannot create run header"):
        store.create_run(make_run())


@pytest.fixture(scope="module")
def iam_moto(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A moto server that checks IAM: the first 4 requests are free (set-up), then auth applies."""
    log = tmp_path_factory.mktemp("moto-iam") / "moto_server.log"
    with moto_server.running_moto(log, {"INITIAL_NO_AUTH_ACTION_COUNT": "4"}) as url:
        yield url


@pytest.fixture
def read_only_keys(iam_moto: str, aws_env: dict[str, str]) -> dict[str, str]:
    boto3 = pytest.importorskip("boto3")
    s3 = boto3.client("s3", endpoint_url=iam_moto, region_name="us-east-1")
    iam = boto3.client("iam", endpoint_url=iam_moto, region_name="us-east-1")
    s3.create_bucket(Bucket="locked-bucket")
    iam.create_user(UserName="reader")
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    policy = {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "*"}
    iam.put_user_policy(
        UserName="reader",
        PolicyName="read-only",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [policy]}),
    )
    return {
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
    }


def test_denied_access_names_bucket_and_key(
    iam_moto: str, read_only_keys: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in read_only_keys.items():
        monkeypatch.setenv(name, value)
    store = make_store(iam_moto, "locked-bucket")
    assert store.list_runs() == []  # reading is allowed by the policy
    with pytest.raises(RunLogError, match=r"access denied \(AccessDenied\)") as caught:
        store.create_run(make_run("r1"))
    assert "s3://locked-bucket/run_logs/r1/run.json" in str(caught.value)


def test_a_lease_whose_heartbeat_stopped_expires(
    s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(s3_endpoint, bucket, lease_seconds=30)
    store.create_run(make_run("r1"))
    lease = store.hold("r1")
    lease._lease._stop.set()  # the owner died: no more heartbeats, nothing cleared
    other = make_store(s3_endpoint, bucket, lease_seconds=30)
    with pytest.raises(RunInUseError, match=r"run 'r1' is in use: process \d+ on "):
        other.hold("r1")
    later = s3_lease.now() + timedelta(seconds=31)
    monkeypatch.setattr(s3_lease, "now", lambda: later)
    assert other.get_run("r1").state == "interrupted"
    other.hold("r1").release()


def lease_of(store: S3RunLogStore) -> dict[str, Any]:
    header = store._get("run_logs/r1/run.json", "read")
    assert header is not None
    lease: dict[str, Any] = header["lease"]
    return lease


def test_the_heartbeat_is_renewed_while_held(s3_endpoint: str, bucket: str) -> None:
    store = make_store(s3_endpoint, bucket, lease_seconds=1)
    store.create_run(make_run("r1"))
    lease = store.hold("r1")
    try:
        first = lease_of(store)["heartbeat"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # renewed every third of a second
            beat = lease_of(store)["heartbeat"]
            if beat != first:
                break
            time.sleep(0.05)
        assert beat != first
    finally:
        lease.release()
    assert lease_of(store)["seconds"] == 0


def test_malformed_records_are_reported_and_the_rest_still_reads(
    s3_endpoint: str, bucket: str, s3_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(s3_endpoint, bucket)
    store.create_run(make_run("good"))
    store.create_run(make_run("bad"))
    store.put_step("good", make_step("a"))
    s3_client.put_object(Bucket=bucket, Key="run_logs/good/steps/b.json", Body=b"[1]")
    s3_client.put_object(Bucket=bucket, Key="run_logs/good/steps/c.json", Body=b"{")
    s3_client.put_object(Bucket=bucket, Key="run_logs/bad/run.json", Body=b"{")
    assert list(store.get_run("good").steps) == ["a"]
    assert "skipping step record run_logs/good/steps/b.json" in caplog.text
    assert "skipping step record run_logs/good/steps/c.json" in caplog.text
    assert [s.run_id for s in store.list_runs()] == ["good"]
    assert f"runs list skips s3://{bucket}/run_logs/bad/run.json" in caplog.text


def test_listing_reads_only_headers_the_index_cannot_vouch_for(
    s3_endpoint: str, bucket: str, s3_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(s3_endpoint, bucket)
    for day, status in ((1, Status.SUCCESS), (2, Status.FAIL), (3, Status.PROCESSING)):
        run = make_run(f"r{day}", f"2026-01-0{day}T00:00:00.000000+00:00")
        store.create_run(run)
        store.update_run(replace(run, status=status))
    assert [s.run_id for s in store.list_runs()] == ["r3", "r2", "r1"]  # writes the index
    read: list[str] = []
    real = store._get_many

    def counted(keys: list[str], action: str, *, lenient: bool = False) -> list[Any]:
        read.extend(keys)
        return real(keys, action, lenient=lenient)

    monkeypatch.setattr(store, "_get_many", counted)
    store.create_run(make_run("r4", "2026-01-04T00:00:00.000000+00:00"))
    listed = [(s.run_id, s.status.value) for s in store.list_runs()]
    assert listed == [("r4", "processing"), ("r3", "processing"), ("r2", "fail"), ("r1", "success")]
    # Finished runs come from the index; a running run's header changes, a new one is unknown.
    assert read == ["run_logs/r3/run.json", "run_logs/r4/run.json"]


def test_an_index_that_lags_or_is_damaged_hides_no_run(
    s3_endpoint: str, bucket: str, s3_client: Any
) -> None:
    store = make_store(s3_endpoint, bucket)
    store.create_run(replace(make_run("r1"), status=Status.SUCCESS))
    store.list_runs()
    index = {"Bucket": bucket, "Key": "run_logs/.runs-index.json"}
    old = s3_client.get_object(**index)["Body"].read()
    store.create_run(make_run("r2", "2026-01-02T00:00:00.000000+00:00"))
    store.list_runs()
    s3_client.put_object(**index, Body=old)  # as if the second write never happened
    assert [s.run_id for s in store.list_runs()] == ["r2", "r1"]
    s3_client.put_object(**index, Body=b"{not json")
    assert [s.run_id for s in store.list_runs()] == ["r2", "r1"]
    mangled = {"version": 1, "runs": {"run_logs/r1/": ["r1", None, "bogus", 4, 5, 6, 7]}}
    s3_client.put_object(**index, Body=json.dumps(mangled).encode())
    assert [(s.run_id, s.status.value) for s in store.list_runs()][1] == ("r1", "success")
