"""What a script logs through handlers set up before `pipeline.execute()` is captured and masked."""

import logging
import os
import sys
from io import StringIO
from pathlib import Path

import pytest

from runplane import Pipeline, PythonTask
from runplane.sdk import service


@pytest.mark.parametrize("stream", ["stderr", "stdout"])
def test_logging_set_up_before_an_sdk_run_is_captured_and_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stream: str
) -> None:
    """A script's `logging.basicConfig()` before `pipeline.execute()` holds the raw stderr."""

    def talkative() -> None:
        logging.getLogger("user.step").warning("token is %s", os.environ["token"])

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("token", "hush-hush-42")
    terminal = StringIO()
    monkeypatch.setattr(sys, stream, terminal)
    # What basicConfig() adds: on sys.stderr as it is now (or a handler on stdout).
    handler = logging.StreamHandler(getattr(sys, stream))
    handler.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
    logging.getLogger().addHandler(handler)
    config = tmp_path / "c.yaml"
    config.write_text(
        "run_log_store: {type: file-system, config: {log_folder: logs}}\n"
        "catalog: {type: file-system, config: {catalog_location: cat}}\n"
    )
    try:
        run = Pipeline([PythonTask(talkative, secrets=["token"])]).execute(str(config))
    finally:
        logging.getLogger().removeHandler(handler)
    assert "WARNING:user.step:token is ***\n" in terminal.getvalue()
    assert "hush-hush-42" not in terminal.getvalue()
    kept = service(str(config)).step_output(run.run_id, "talkative")
    assert kept == "WARNING:user.step:token is ***\n"
