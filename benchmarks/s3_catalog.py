"""50 MB round trip through S3Catalog vs direct boto3 upload_file/download_file (`aws s3 cp`).

Starts its own moto server on a free loopback port, so it needs `pip install -e '.[dev,s3]'`:

    python benchmarks/s3_catalog.py [--size-mb 50] [--repeat 3]

Both sides use the same TransferConfig (8 MiB threshold and parts, 10 threads), so the ratio
is the catalog's own cost: hashing the file before upload and after download, the HEAD for
the stored sha256, the listing that globs the run's keys, and the temporary-file rename.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import median
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from runplane.adapters.catalogs.s3 import S3Catalog, S3CatalogConfig

MIB = 1024 * 1024
BUCKET = "bench-data"


def start_moto(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Output goes to a file: moto logs every request and an unread pipe would stall it.
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("moto_server")),
                "-H",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit(f"moto_server did not start; see {log}")


def direct_round_trip(client: Any, source: Path, target: Path, transfer: TransferConfig) -> None:
    client.upload_file(str(source), BUCKET, "direct/big.bin", Config=transfer)
    client.download_file(BUCKET, "direct/big.bin", str(target), Config=transfer)


def catalog_round_trip(catalog: S3Catalog, work: Path, back: Path, run_id: str) -> None:
    catalog.put(run_id, ["big.bin"], work)
    catalog.get(run_id, ["big.bin"], back)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true"
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        proc, url = start_moto(tmp / "moto.log")
        try:
            run(url, tmp, args.size_mb, args.repeat)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def run(url: str, tmp: Path, size_mb: int, repeat: int) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )
    client.create_bucket(Bucket=BUCKET)
    transfer = TransferConfig(
        multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=10
    )
    catalog = S3Catalog(S3CatalogConfig(bucket=BUCKET, prefix="catalog/", endpoint_url=url))
    work, back = tmp / "work", tmp / "back"
    work.mkdir()
    back.mkdir()
    payload = os.urandom(size_mb * MIB)
    (work / "big.bin").write_bytes(payload)
    direct, ours = [], []
    for index in range(repeat):  # alternate, so machine noise hits both sides alike
        start = time.perf_counter()
        direct_round_trip(client, work / "big.bin", back / "direct.bin", transfer)
        direct.append(time.perf_counter() - start)
        start = time.perf_counter()
        catalog_round_trip(catalog, work, back, f"run-{index}")
        ours.append(time.perf_counter() - start)
    expected = hashlib.sha256(payload).hexdigest()
    assert hashlib.sha256((back / "big.bin").read_bytes()).hexdigest() == expected
    assert hashlib.sha256((back / "direct.bin").read_bytes()).hexdigest() == expected
    print(f"{size_mb} MiB round trip (upload + download) against moto at {url}, {repeat} runs")
    print(f"  boto3 upload_file/download_file: median {median(direct):.2f}s  runs {_fmt(direct)}")
    print(f"  S3Catalog put/get:               median {median(ours):.2f}s  runs {_fmt(ours)}")
    print(f"  ratio catalog / direct:          {median(ours) / median(direct):.2f}")


def _fmt(times: list[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
