"""The local-subprocess executor's `start`: how each step's process is started."""

import sys
from pathlib import Path

import pytest

from runplane.adapters.executors.local_subprocess import LocalSubprocessExecutorConfig
from runplane.app.bootstrap.root import create_root
from runplane.domain.errors import ConfigurationError


def write(tmp_path: Path, start: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(f"executor: {{type: local-subprocess, config: {{start: {start}}}}}\n")
    return str(path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux default")
def test_linux_forks_steps_from_a_step_server_by_default() -> None:
    assert LocalSubprocessExecutorConfig().start == "fork-server"


def test_an_unknown_start_names_the_key_and_the_valid_values(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_root(write(tmp_path, "forked"))
    message = str(caught.value)
    assert "config.yaml" in message
    assert "executor.config.start: Input should be 'fork-server' or 'fresh'" in message


def test_fork_server_where_forking_is_unsafe_points_to_fresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert LocalSubprocessExecutorConfig().start == "fresh"
    with pytest.raises(ConfigurationError) as caught:
        create_root(write(tmp_path, "fork-server"))
    assert "executor.config.start: Value error, 'fork-server' needs Linux" in str(caught.value)
    assert "on darwin use 'fresh'" in str(caught.value)
