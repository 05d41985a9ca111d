"""The S3 catalog against moto's S3 server, over HTTP, exactly as against AWS."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from runplane.adapters.catalogs.file_system import FileSystemCatalog, FileSystemCatalogConfig
from runplane.adapters.catalogs.s3 import S3Catalog, S3CatalogConfig
from runplane.domain.errors import CatalogError
from runplane.ports.catalog import Catalog
from runplane.testing.catalog import CatalogStorageContract
from tests.integration.conftest import needs_s3

pytestmark = [pytest.mark.integration, needs_s3]

MIB = 1024 * 1024


def make_catalog(endpoint: str, bucket: str, **extra: Any) -> S3Catalog:
    config = {"bucket": bucket, "prefix": "catalog/", "endpoint_url": endpoint, **extra}
    return S3Catalog(S3CatalogConfig.model_validate(config))


class TestS3Catalog(CatalogStorageContract):
    @pytest.fixture
    def catalog(self, s3_endpoint: str, bucket: str) -> Catalog:
        return make_catalog(s3_endpoint, bucket)


def test_files_are_kept_per_run_with_their_sha256(
    s3_endpoint: str, bucket: str, s3_client: Any, tmp_path: Path
) -> None:
    (tmp_path / "data.csv").write_text("a,b\n")
    entries = make_catalog(s3_endpoint, bucket).put("r1", ["data.csv"], tmp_path)
    head = s3_client.head_object(Bucket=bucket, Key="catalog/r1/data.csv")
    assert head["Metadata"]["sha256"] == entries[0].sha256
    assert head["ContentLength"] == entries[0].size == 4
    assert make_catalog(s3_endpoint, bucket).location("r1") == f"s3://{bucket}/catalog/r1/"


def test_50_mb_round_trip_is_multipart_and_identical(
    s3_endpoint: str, bucket: str, s3_client: Any, tmp_path: Path
) -> None:
    work, back = tmp_path / "work", tmp_path / "back"
    work.mkdir()
    back.mkdir()
    payload = os.urandom(50 * MIB)
    (work / "big.bin").write_bytes(payload)
    catalog = make_catalog(s3_endpoint, bucket, multipart_threshold=8 * MIB)
    [put] = catalog.put("r1", ["big.bin"], work)
    etag = s3_client.head_object(Bucket=bucket, Key="catalog/r1/big.bin")["ETag"]
    assert etag.strip('"').endswith("-7")  # 50 MiB in 8 MiB parts: a multipart upload
    [got] = catalog.get("r1", ["big.bin"], back)
    assert put.sha256 == got.sha256 == hashlib.sha256(payload).hexdigest()
    assert got.size == 50 * MIB
    assert (back / "big.bin").read_bytes() == payload
    assert [p.name for p in back.iterdir()] == ["big.bin"]  # no temporary file left behind


def test_below_the_threshold_a_file_is_one_put(
    s3_endpoint: str, bucket: str, s3_client: Any, tmp_path: Path
) -> None:
    (tmp_path / "mid.bin").write_bytes(os.urandom(6 * MIB))
    make_catalog(s3_endpoint, bucket, multipart_threshold=16 * MIB).put("r1", ["mid.bin"], tmp_path)
    etag = s3_client.head_object(Bucket=bucket, Key="catalog/r1/mid.bin")["ETag"]
    assert "-" not in etag


def test_a_changed_object_is_refused_on_get(
    s3_endpoint: str, bucket: str, s3_client: Any, tmp_path: Path
) -> None:
    work, back = tmp_path / "work", tmp_path / "back"
    work.mkdir()
    (work / "model.pkl").write_bytes(b"trained")
    catalog = make_catalog(s3_endpoint, bucket)
    [put] = catalog.put("r1", ["model.pkl"], work)
    # Someone overwrites the object but keeps the old metadata: the hash no longer matches.
    s3_client.put_object(
        Bucket=bucket, Key="catalog/r1/model.pkl", Body=b"tampered", Metadata={"sha256": put.sha256}
    )
    with pytest.raises(CatalogError, match=r"s3://runplane-test/catalog/r1/model.pkl.*sha256"):
        catalog.get("r1", ["model.pkl"], back)
    assert not back.exists() or list(back.iterdir()) == []


def test_an_object_without_sha256_metadata_is_hashed_on_arrival(
    s3_endpoint: str, bucket: str, s3_client: Any, tmp_path: Path
) -> None:
    s3_client.put_object(Bucket=bucket, Key="catalog/r1/external.txt", Body=b"from elsewhere")
    [got] = make_catalog(s3_endpoint, bucket).get("r1", ["external.txt"], tmp_path)
    assert got.sha256 == hashlib.sha256(b"from elsewhere").hexdigest()


@pytest.mark.parametrize(
    "patterns",
    [
        ["*.csv"],
        ["data"],
        ["data/"],
        ["data/**"],
        ["**/*.txt"],
        ["data/*/*.txt"],
        ["**"],
        ["?ata.csv"],
    ],
)
def test_get_patterns_match_what_the_file_system_catalog_matches(
    s3_endpoint: str, bucket: str, tmp_path: Path, patterns: list[str]
) -> None:
    work = tmp_path / "work"
    (work / "data" / "deep").mkdir(parents=True)
    for name in ["data.csv", "data/one.txt", "data/deep/two.txt", "data/deep/.hidden", "x.csv"]:
        (work / name).write_text(name)
    local = FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(tmp_path / "cat")))
    remote = make_catalog(s3_endpoint, bucket)
    local.put("r1", ["*"], work)
    remote.put("r1", ["*"], work)
    expected = [e.name for e in local.get("r1", patterns, tmp_path / "from-local")]
    got = [e.name for e in remote.get("r1", patterns, tmp_path / "from-s3")]
    assert sorted(got) == sorted(expected)
    for name in got:
        assert (tmp_path / "from-s3" / name).read_text() == name


def test_missing_bucket_is_named_on_put_and_get(s3_endpoint: str, tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("x")
    catalog = make_catalog(s3_endpoint, "no-such-bucket", max_attempts=1)
    with pytest.raises(CatalogError, match="bucket 'no-such-bucket' does not exist") as caught:
        catalog.put("r1", ["data.csv"], tmp_path)
    assert "s3://no-such-bucket/catalog/r1/data.csv" in str(caught.value)
    with pytest.raises(CatalogError, match="bucket 'no-such-bucket' does not exist"):
        catalog.get("r1", ["data.csv"], tmp_path)
