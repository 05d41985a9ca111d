"""A run log store on S3 (or an S3-compatible store): one object per run header and per step."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from secrets import token_hex
from typing import Any, ClassVar

from pydantic import Field

from runplane.adapters._shared.s3 import (
    S3Client,
    S3ConnectionConfig,
    describe,
    error_code,
    is_not_found,
)
from runplane.adapters.run_log_stores import s3_index
from runplane.adapters.run_log_stores.s3_lease import HeartbeatLease, check_free, is_live
from runplane.domain.errors import (
    RunAlreadyExistsError,
    RunInUseError,
    RunLogError,
    RunLogNotFoundError,
    StepLogNotFoundError,
)
from runplane.domain.run_log import RunLog, RunSummary, Status, StepLog, order_steps

logger = logging.getLogger(__name__)

_HEADER = "run.json"
_STEPS = "steps/"
_CLAIM = "runplane-claim"  # object metadata: the random token of the call that created a run


class S3RunLogStoreConfig(S3ConnectionConfig):
    """Settings of the S3 run log store (connection keys plus how many reads run at once)."""

    read_concurrency: int = Field(default=16, ge=1, le=64)
    # How long a run's owner may go without renewing its heartbeat before the run counts as
    # interrupted (and may be retried). Renewed every third of it.
    lease_seconds: float = Field(default=60, ge=1)


class S3RunLogStore:
    """`<prefix><run_id>/run.json` plus `<prefix><run_id>/steps/<step path>.json`.

    Every write is one PUT of one whole object, which S3 makes visible atomically, so two
    machines recording different steps of one run never overwrite each other, and a reader
    sees a step's old record or its new one. A run is claimed with a conditional PUT
    (`If-None-Match: *`), so two creators of the same run id cannot both succeed.
    """

    Config: ClassVar[type[S3RunLogStoreConfig]] = S3RunLogStoreConfig

    def __init__(self, config: S3RunLogStoreConfig) -> None:
        self._config = config
        self._s3 = S3Client(config)
        # Runs are never deleted by runplane, so once seen a run id stays valid: this spares
        # a HEAD request per step record. It caches existence only, never content.
        self._known: set[str] = set()
        self._known_lock = threading.Lock()
        self._leases: dict[str, HeartbeatLease] = {}  # runs this process holds

    def create_run(self, run: RunLog) -> None:
        key = self._header_key(run.run_id)
        claim = token_hex(16)  # tells this creation's object from any other creator's
        try:
            self._put(key, run.header_dict(), "create run header", exclusive=True, claim=claim)
        except _Exists:
            # A retried PUT whose first try took effect (its answer was lost) finds the
            # object it wrote itself: that is this creation succeeding, not a duplicate.
            if self._claim_of(key) != claim:
                raise RunAlreadyExistsError(run.run_id, self.location(run.run_id)) from None
            logger.debug("run %s: the header found is the one this call wrote", run.run_id)
        self._remember(run.run_id)

    def update_run(self, run: RunLog) -> None:
        self._require_run(run.run_id)
        lease = self._leases.get(run.run_id)
        if lease is not None:  # keep the heartbeat in the header this process owns
            lease.write(run.header_dict())
            return
        self._put(self._header_key(run.run_id), run.header_dict(), "update run header")

    def hold(self, run_id: str) -> _HeldLease:
        key = self._header_key(run_id)
        header, etag = self._get_tagged(key, "read run header")
        if header is None:
            raise self._run_not_found(run_id, key)
        check_free(run_id, header, f"s3://{self._config.bucket}/{key}")
        lease = HeartbeatLease(
            header,
            self._config.lease_seconds,
            lambda data: self._put(key, data, "renew the run's lease"),
            holder=f"process {os.getpid()} on {socket.gethostname()}",
        )
        try:
            self._put(key, lease.stamped(), "take the run's lease", if_match=etag)
        except _Exists:
            raise RunInUseError(
                f"run '{run_id}' is in use: another process took its lease just now "
                f"(s3://{self._config.bucket}/{key} changed while it was being taken)"
            ) from None
        lease.start()
        self._leases[run_id] = lease
        return _HeldLease(self._leases, run_id, lease)

    def put_step(self, run_id: str, step: StepLog) -> None:
        self._require_run(run_id)
        self._put(self._step_key(run_id, step.path), step.to_dict(), "write step record")

    def get_run(self, run_id: str) -> RunLog:
        header = self._get(self._header_key(run_id), "read run header")
        if header is None:
            raise self._run_not_found(run_id, self._header_key(run_id))
        keys = [k for k in self._list(self._run_prefix(run_id) + _STEPS) if k.endswith(".json")]
        records = self._get_many(keys, "read step record", lenient=True)
        steps = [s for key, r in zip(keys, records, strict=True) for s in _step_or_skip(key, r)]
        try:
            run = RunLog.from_dict(header, order_steps(steps))
        except RunLogError as exc:
            where = f"s3://{self._config.bucket}/{self._header_key(run_id)}"
            raise RunLogError(f"run record {where} is malformed: {exc}") from exc
        return _with_lease(run, header)

    def get_step(self, run_id: str, step_path: str) -> StepLog:
        record = self._get(self._step_key(run_id, step_path), "read step record")
        if record is None:
            self._require_run(run_id)
            raise StepLogNotFoundError(run_id, step_path)
        return StepLog.from_dict(record)

    def list_runs(self) -> list[RunSummary]:
        # Through the summary index: one GET, plus one per run it does not hold (s3_index).
        folders = self._list(self._config.prefix, delimiter="/")
        index_key = self._config.prefix + s3_index.INDEX
        try:
            index = self._get(index_key, "read the runs index")
        except _MalformedError:
            index = None  # rebuilt below
        runs, changed = s3_index.list_summaries(folders, index, self._read_summaries)
        if changed is not None:
            try:
                self._put(index_key, changed, "write the runs index")
            except RunLogError as exc:  # read-only credentials still list
                logger.debug("runs list: cannot write the index: %s", exc)
        return runs

    def _read_summaries(self, folders: list[str]) -> dict[str, RunSummary]:
        keys = [f + _HEADER for f in folders]
        headers = self._get_many(keys, "read run header", lenient=True)
        runs = {}
        for folder, key, header in zip(folders, keys, headers, strict=True):
            if header is None:
                continue
            try:
                if isinstance(header, _MalformedError):
                    raise header
                runs[folder] = _with_lease(RunLog.from_dict(header, []), header).summary()
            except RunLogError as exc:  # one bad run must not hide every other
                logger.warning("runs list skips s3://%s/%s: %s", self._config.bucket, key, exc)
        return runs

    def location(self, run_id: str) -> str:
        return f"s3://{self._config.bucket}/{self._run_prefix(run_id)}"

    # -- keys ------------------------------------------------------------------------

    def _run_prefix(self, run_id: str) -> str:
        return f"{self._config.prefix}{run_id}/"

    def _header_key(self, run_id: str) -> str:
        return self._run_prefix(run_id) + _HEADER

    def _step_key(self, run_id: str, step_path: str) -> str:
        return f"{self._run_prefix(run_id)}{_STEPS}{step_path}.json"

    # -- existence -------------------------------------------------------------------

    def _remember(self, run_id: str) -> None:
        with self._known_lock:
            self._known.add(run_id)

    def _require_run(self, run_id: str) -> None:
        with self._known_lock:
            if run_id in self._known:
                return
        key = self._header_key(run_id)
        try:
            self._s3.client.head_object(Bucket=self._config.bucket, Key=key)
        except self._s3.errors as exc:
            if is_not_found(exc):
                raise self._run_not_found(run_id, key) from None
            raise self._error(exc, key, "check run header") from exc
        self._remember(run_id)

    def _run_not_found(self, run_id: str, key: str) -> RunLogError:
        # HEAD answers a bare 404 for a missing bucket too; say which one is missing.
        if not self._s3.bucket_exists():
            return RunLogError(
                f"cannot read s3://{self._config.bucket}/{key}: bucket "
                f"'{self._config.bucket}' does not exist; create it or fix 'bucket'"
            )
        return RunLogNotFoundError(run_id, f"'s3://{self._config.bucket}/{self._config.prefix}'")

    # -- objects ---------------------------------------------------------------------

    def _claim_of(self, key: str) -> str | None:
        try:
            head = self._s3.client.head_object(Bucket=self._config.bucket, Key=key)
        except self._s3.errors as exc:
            raise self._error(exc, key, "check run header") from exc
        claim = head.get("Metadata", {}).get(_CLAIM)
        return str(claim) if claim else None

    def _put(
        self,
        key: str,
        data: dict[str, Any],
        action: str,
        *,
        exclusive: bool = False,
        claim: str | None = None,
        if_match: str | None = None,
    ) -> None:
        body = json.dumps(data, ensure_ascii=False, allow_nan=False).encode()
        extra: dict[str, Any] = {"IfNoneMatch": "*"} if exclusive else {}
        if if_match is not None:
            extra["IfMatch"] = if_match
        if claim is not None:
            extra["Metadata"] = {_CLAIM: claim}
        try:
            self._s3.client.put_object(
                Bucket=self._config.bucket,
                Key=key,
                Body=body,
                ContentType="application/json",
                **extra,
            )
        except self._s3.errors as exc:
            if (exclusive or if_match is not None) and error_code(exc) in {
                "PreconditionFailed",
                "ConditionalRequestConflict",
            }:
                raise _Exists from None
            raise self._error(exc, key, action) from exc
        logger.debug("wrote s3://%s/%s", self._config.bucket, key)

    def _get(self, key: str, action: str) -> dict[str, Any] | None:
        """The object's JSON, or None when the key does not exist."""
        return self._get_tagged(key, action)[0]

    def _get_tagged(self, key: str, action: str) -> tuple[dict[str, Any] | None, str | None]:
        """The object's JSON and ETag, or (None, None) when the key does not exist."""
        try:
            response = self._s3.client.get_object(Bucket=self._config.bucket, Key=key)
            body = response["Body"].read()
        except self._s3.errors as exc:
            if is_not_found(exc):
                return None, None
            raise self._error(exc, key, action) from exc
        try:
            data: dict[str, Any] = json.loads(body)
        except ValueError as exc:
            raise _MalformedError(
                f"run record s3://{self._config.bucket}/{key} is not valid JSON: {exc}"
            ) from exc
        return data, response.get("ETag")

    def _get_many(self, keys: list[str], action: str, *, lenient: bool = False) -> list[Any]:
        """Each object's JSON (None if missing); `lenient`: a malformed one is the error."""

        def get(key: str) -> Any:
            try:
                return self._get(key, action)
            except _MalformedError as exc:
                if not lenient:
                    raise
                return exc

        # Reading a run is one GET per step; doing them side by side keeps a long run quick.
        if len(keys) <= 1:
            return [get(k) for k in keys]
        workers = min(self._config.read_concurrency, len(keys))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(get, keys))

    def _list(self, prefix: str, delimiter: str = "") -> list[str]:
        """Keys under `prefix`, or with a delimiter the 'folders' one level down."""
        found: list[str] = []
        arguments = {"Bucket": self._config.bucket, "Prefix": prefix}
        if delimiter:
            arguments["Delimiter"] = delimiter
        try:
            for page in self._s3.client.get_paginator("list_objects_v2").paginate(**arguments):
                if delimiter:
                    found.extend(p["Prefix"] for p in page.get("CommonPrefixes", []))
                else:
                    found.extend(o["Key"] for o in page.get("Contents", []))
        except self._s3.errors as exc:
            raise self._error(exc, prefix, "list") from exc
        return found

    def _error(self, exc: Exception, key: str, action: str) -> RunLogError:
        return RunLogError(describe(exc, self._config.bucket, key, action))


class _MalformedError(RunLogError):
    """An object that is not valid JSON: readers of many skip it, naming it."""


def _step_or_skip(key: str, record: Any) -> list[StepLog]:
    """The step record read from `key`; none (and a warning naming it) if it is malformed."""
    if record is None:
        return []
    try:
        if isinstance(record, _MalformedError):
            raise record
        return [StepLog.from_dict(record)]
    except RunLogError as exc:
        logger.warning("skipping step record %s: %s", key, exc)
        return []


def _with_lease(run: RunLog, header: dict[str, Any]) -> RunLog:
    if run.status is Status.PROCESSING:
        run.live = is_live(header)
    return run


class _HeldLease:
    def __init__(self, held: dict[str, HeartbeatLease], run_id: str, lease: HeartbeatLease) -> None:
        self._held, self._run_id, self._lease = held, run_id, lease

    def release(self) -> None:
        if self._held.pop(self._run_id, None) is self._lease:
            self._lease.release()


class _Exists(Exception):
    """The conditional PUT found the key already there."""
