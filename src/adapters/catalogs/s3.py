"""A catalog on S3 (or an S3-compatible store): `<prefix><run_id>/<path>`, one object per file.

Every version put is also kept once by its sha256, `<prefix>.versions/<sha256>`, for
`restore`: the run's object is a server-side copy of it (S3 has no links).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from runplane.adapters._shared.durable import temporary_tag
from runplane.adapters._shared.globbing import expand, match_names
from runplane.adapters._shared.s3 import S3Client, S3ConnectionConfig, describe, is_not_found
from runplane.domain.errors import CatalogError
from runplane.domain.run_log import CatalogEntry

logger = logging.getLogger(__name__)

_MIB = 1024 * 1024
_BUFFER = _MIB
#: Object metadata key (sent as `x-amz-meta-sha256`) holding the file's sha256 at put time.
SHA256_METADATA = "sha256"


class S3CatalogConfig(S3ConnectionConfig):
    """Settings of the S3 catalog: connection keys plus boto3 managed-transfer tuning."""

    multipart_threshold: int = Field(default=8 * _MIB, ge=5 * _MIB)
    multipart_chunksize: int = Field(default=8 * _MIB, ge=5 * _MIB)
    max_concurrency: int = Field(default=10, ge=1, le=64)


class S3Catalog:
    """Uploads and downloads with boto3 managed transfers; hashes are checked on the way back.

    `put` stores each file's sha256 in the object's metadata; `get` hashes what arrived and
    refuses a file whose hash differs, so a corrupted or replaced object never reaches a step
    silently. Files land in the working directory through a temporary name and a rename.
    """

    Config: ClassVar[type[S3CatalogConfig]] = S3CatalogConfig

    def __init__(self, config: S3CatalogConfig) -> None:
        self._config = config
        self._s3 = S3Client(config)

    def put(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        names = expand(patterns, work_dir, f"working directory '{work_dir}'")
        return [self._upload(work_dir / name, run_id, name) for name in names]

    def get(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        prefix = self._run_prefix(run_id)
        names = match_names(
            patterns,
            [key[len(prefix) :] for key in self._list(prefix)],
            f"the catalog of run '{run_id}' ({self.location(run_id)})",
        )
        return [self._download(prefix + name, name, work_dir / name) for name in names]

    def restore(
        self, run_id: str, entries: Sequence[CatalogEntry], work_dir: Path
    ) -> list[CatalogEntry]:
        restored = []
        for entry in entries:
            key = self._version_key(entry.sha256)
            if self._stored_sha256(key, missing_ok=True) is None:
                key = self._run_prefix(run_id) + entry.name  # put before versions were kept
            got = self._download(key, entry.name, work_dir / entry.name)
            if got.sha256 != entry.sha256:
                (work_dir / entry.name).unlink(missing_ok=True)
                raise CatalogError(
                    f"s3://{self._bucket}/{key} has sha256 {got.sha256}, not the {entry.sha256} "
                    f"recorded for {entry.name!r}: it changed or was corrupted, not using it"
                )
            restored.append(got)
        return restored

    def location(self, run_id: str) -> str:
        return f"s3://{self._config.bucket}/{self._run_prefix(run_id)}"

    def _run_prefix(self, run_id: str) -> str:
        return f"{self._config.prefix}{run_id}/"

    def _version_key(self, sha256: str) -> str:
        # Run ids start with a letter or digit: no run's prefix is `.versions/`.
        return f"{self._config.prefix}.versions/{sha256}"

    def _transfer_config(self) -> Any:
        # Lazy like every boto3 import (the s3 extra is optional); the client checked it is there.
        from boto3.s3.transfer import TransferConfig  # noqa: PLC0415

        return TransferConfig(
            multipart_threshold=self._config.multipart_threshold,
            multipart_chunksize=self._config.multipart_chunksize,
            max_concurrency=self._config.max_concurrency,
        )

    def _upload(self, source: Path, run_id: str, name: str) -> CatalogEntry:
        key = self._run_prefix(run_id) + name
        try:
            sha256, size = _sha256_of(source)
        except OSError as exc:
            raise CatalogError(f"cannot read '{source}' to put it: {exc.strerror}") from exc
        client = self._s3.client
        version = self._version_key(sha256)
        metadata = {"Metadata": {SHA256_METADATA: sha256}}
        try:
            # The version first, then the run's object copied from it: the version holds
            # what was hashed, whatever another writer puts under the run's name meanwhile.
            if self._stored_sha256(version, missing_ok=True) != sha256:
                client.upload_file(
                    str(source),
                    self._bucket,
                    version,
                    ExtraArgs=metadata,
                    Config=self._transfer_config(),
                )
            client.copy(
                {"Bucket": self._bucket, "Key": version},
                self._bucket,
                key,
                ExtraArgs={**metadata, "MetadataDirective": "REPLACE"},
                Config=self._transfer_config(),
            )
        except self._s3.errors as exc:
            raise self._error(exc, key, "put") from exc
        logger.debug("put %s -> s3://%s/%s (%d bytes)", name, self._config.bucket, key, size)
        return CatalogEntry(name=name, stage="put", sha256=sha256, size=size)

    def _download(self, key: str, name: str, target: Path) -> CatalogEntry:
        expected = self._stored_sha256(key)
        tmp = target.with_name(f".{target.name}.{temporary_tag()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._s3.client.download_file(
                self._config.bucket, key, str(tmp), Config=self._transfer_config()
            )
            sha256, size = _sha256_of(tmp)
            if expected is not None and sha256 != expected:
                raise CatalogError(
                    f"s3://{self._config.bucket}/{key} arrived with sha256 {sha256} but was put "
                    f"with {expected}; the object changed or was corrupted, not using it"
                )
            os.replace(tmp, target)
        except OSError as exc:
            raise CatalogError(f"cannot write '{target}' (get): {exc.strerror}") from exc
        except self._s3.errors as exc:
            raise self._error(exc, key, "get") from exc
        finally:
            tmp.unlink(missing_ok=True)
        if expected is None:
            logger.warning("s3://%s/%s has no sha256 metadata; not verified", self._bucket, key)
        logger.debug("got %s <- s3://%s/%s (%d bytes)", name, self._bucket, key, size)
        return CatalogEntry(name=name, stage="get", sha256=sha256, size=size)

    @property
    def _bucket(self) -> str:
        return self._config.bucket

    def _stored_sha256(self, key: str, *, missing_ok: bool = False) -> str | None:
        try:
            head = self._s3.client.head_object(Bucket=self._bucket, Key=key)
        except self._s3.errors as exc:
            if missing_ok and is_not_found(exc):
                return None
            raise self._error(exc, key, "get") from exc
        value = head.get("Metadata", {}).get(SHA256_METADATA)
        return str(value) if value else None

    def _list(self, prefix: str) -> list[str]:
        keys: list[str] = []
        try:
            paginator = self._s3.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
                keys.extend(o["Key"] for o in page.get("Contents", []) if o["Key"] != prefix)
        except self._s3.errors as exc:
            raise self._error(exc, prefix, "list") from exc
        return keys

    def _error(self, exc: Exception, key: str, action: str) -> CatalogError:
        return CatalogError(describe(exc, self._bucket, key, action))


def _sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_BUFFER):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
