"""`from runnable import exceptions`: the error a failed run raises, under runnable's name."""

from runplane.sdk import RunFailedError

#: What `execute()` raises when the run fails; runplane's RunFailedError (with `.run_log`).
ExecutionFailedError = RunFailedError

__all__ = ["ExecutionFailedError"]
