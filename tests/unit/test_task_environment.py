"""A function task's variables in os.environ, also when calls in threads end out of order."""

from __future__ import annotations

import os
from contextlib import ExitStack

import pytest

from runplane.adapters.tasks.environment import exposed

NAME = "RUNPLANE_TEST_TASK_ENV"


@pytest.fixture(autouse=True)
def _unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NAME, raising=False)


def test_the_variable_is_there_during_the_call_only() -> None:
    with exposed({NAME: "during"}):
        assert os.environ[NAME] == "during"
    assert NAME not in os.environ


def test_a_value_from_before_comes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "before")
    with exposed({NAME: "during"}):
        assert os.environ[NAME] == "during"
    assert os.environ[NAME] == "before"


def test_a_call_ending_first_leaves_the_other_calls_value_in_place() -> None:
    # Two steps in threads: the first to start ends first (the order a pool gives).
    first, second = ExitStack(), ExitStack()
    first.enter_context(exposed({NAME: "1"}))
    second.enter_context(exposed({NAME: "2"}))
    first.close()
    assert os.environ[NAME] == "2"  # the second step still runs and reads its own
    second.close()
    assert NAME not in os.environ  # nobody's value is left behind


def test_the_newest_running_call_shows_when_the_newest_ends_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(NAME, "before")
    first, second = ExitStack(), ExitStack()
    first.enter_context(exposed({NAME: "1"}))
    second.enter_context(exposed({NAME: "2"}))
    second.close()
    assert os.environ[NAME] == "1"
    first.close()
    assert os.environ[NAME] == "before"


def test_the_environment_is_restored_when_the_call_raises() -> None:
    with pytest.raises(RuntimeError), exposed({NAME: "during"}):
        raise RuntimeError("the task failed")
    assert NAME not in os.environ
