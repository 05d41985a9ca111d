"""S3 plumbing shared by the S3 run log store and the S3 catalog.

Both adapters connect the same way (boto3 credential chain, optional profile, endpoint for
S3-compatible stores, botocore retries) and must explain the same failures (missing bucket,
denied access) the same way; each raises its own port's error family with the text built here.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from runplane.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from botocore.client import BaseClient

_INSTALL = "pip install 'runplane[s3]'"
_DENIED = {
    "AccessDenied",
    "AllAccessDisabled",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "403",
}
_NOT_FOUND = {"NoSuchKey", "NotFound", "404"}


class S3ConnectionConfig(BaseModel):
    """Where the bucket is and how to reach it; the S3 adapters' configs extend this."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bucket: str = Field(min_length=3, max_length=63)
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] | None = None
    max_attempts: int = Field(default=5, ge=1, le=20)
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)
    verify: bool | str = True

    @field_validator("prefix")
    @classmethod
    def _folder_like(cls, prefix: str) -> str:
        # A prefix is a folder: "run_logs" and "/run_logs/" both mean "run_logs/".
        prefix = prefix.strip("/")
        return f"{prefix}/" if prefix else ""


class S3Client:
    """Creates the boto3 client on first use (constructors do no I/O), once per adapter."""

    def __init__(self, config: S3ConnectionConfig) -> None:
        self._config = config
        self._client: BaseClient | None = None
        self._errors: tuple[type[Exception], ...] = ()
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The boto3 S3 client (thread-safe to share)."""
        with self._lock:
            if self._client is None:
                self._client, self._errors = _connect(self._config)
            return self._client

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """The SDK exception types to translate (botocore's and boto3's error bases)."""
        _ = self.client
        return self._errors

    def bucket_exists(self) -> bool:
        """Whether the bucket exists; tells a missing bucket from a missing key after a 404."""
        try:
            self.client.head_bucket(Bucket=self._config.bucket)
        except self.errors as exc:
            return error_code(exc) not in {"404", "NoSuchBucket", "NotFound"}
        return True


def _connect(config: S3ConnectionConfig) -> tuple[Any, tuple[type[Exception], ...]]:
    try:
        # Imported here so that runplane works without the s3 extra until S3 is configured.
        import boto3  # noqa: PLC0415
        from boto3.exceptions import Boto3Error  # noqa: PLC0415
        from botocore.config import Config  # noqa: PLC0415
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415
    except ImportError as exc:
        raise ConfigurationError(
            f"the S3 adapters need boto3, which is not installed: {_INSTALL}"
        ) from exc
    # Endpoints of S3-compatible stores (MinIO, Ceph, moto) rarely resolve bucket subdomains.
    style = config.addressing_style or ("path" if config.endpoint_url else "auto")
    settings = Config(
        retries={"mode": "standard", "max_attempts": config.max_attempts},
        s3={"addressing_style": style},
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        max_pool_connections=32,
    )
    try:
        session = boto3.session.Session(profile_name=config.profile, region_name=config.region)
        client = session.client(
            "s3", endpoint_url=config.endpoint_url, verify=config.verify, config=settings
        )
    except BotoCoreError as exc:
        raise ConfigurationError(f"cannot set up the S3 client: {exc}") from exc
    return client, (ClientError, BotoCoreError, Boto3Error)


def error_code(exc: BaseException) -> str:
    """The S3 error code of a botocore ClientError ('' for transport errors).

    boto3's managed transfers re-raise a ClientError as S3UploadFailedError (chained as the
    context) or RetriesExceededError (`last_exception`); the code is looked up through those.
    """
    seen: BaseException | None = exc
    for _ in range(4):  # the chain is at most a couple of links deep
        if seen is None:
            break
        response = getattr(seen, "response", None)
        if isinstance(response, dict):
            return str(response.get("Error", {}).get("Code", ""))
        seen = getattr(seen, "last_exception", None) or seen.__cause__ or seen.__context__
    return ""


def is_not_found(exc: BaseException) -> bool:
    """Whether the error says the key (or, after a HEAD, possibly the bucket) is absent."""
    return error_code(exc) in _NOT_FOUND


def describe(exc: BaseException, bucket: str, key: str, action: str) -> str:
    """A message naming bucket and key and saying what would fix the failure."""
    code = error_code(exc)
    where = f"s3://{bucket}/{key}"
    if code == "NoSuchBucket":
        return (
            f"cannot {action} {where}: bucket '{bucket}' does not exist; create it or fix 'bucket'"
        )
    if code in _DENIED:
        return (
            f"cannot {action} {where}: access denied ({code}); check the credentials "
            "(environment, 'profile' or instance role) and the bucket policy"
        )
    if code == "PreconditionFailed":
        return f"cannot {action} {where}: a condition of the request did not hold"
    return f"cannot {action} {where}: {exc}"
