"""local-subprocess passes the executor contracts in both ways of starting a step's process.

A fresh interpreter per step costs about a second, so by default `fresh` runs only the
tests of what a new process must be handed (its parameters, its attempt's environment);
RUNPLANE_LONG_TESTS=1 runs the whole contract there too. `fork-server` runs all of it.
"""

import os
from pathlib import Path

import pytest

from runplane.adapters.executors.step_server import fork_server_supported
from runplane.testing.executor import ExecutorRunsTasksContract, RunPipeline
from tests.executor_runs import with_executor

pytestmark = pytest.mark.integration

LONG = os.environ.get("RUNPLANE_LONG_TESTS") == "1"
FRESH_DEFAULT = {
    "test_a_step_gets_what_earlier_steps_returned",
    "test_each_attempt_sees_its_number_and_the_step_its_secret",
}


@pytest.mark.skipif(not fork_server_supported(), reason="fork-server needs Linux")
class TestLocalSubprocessForkServer(ExecutorRunsTasksContract):
    @pytest.fixture
    def run_pipeline(self, workdir: Path) -> RunPipeline:
        return with_executor("{type: local-subprocess, config: {start: fork-server}}")


class TestLocalSubprocessFresh(ExecutorRunsTasksContract):
    @pytest.fixture(autouse=True)
    def _only_the_default_tests_unless_long(self, request: pytest.FixtureRequest) -> None:
        if not LONG and request.node.name not in FRESH_DEFAULT:
            pytest.skip("an interpreter per step: RUNPLANE_LONG_TESTS=1 runs the whole contract")

    @pytest.fixture
    def run_pipeline(self, workdir: Path) -> RunPipeline:
        return with_executor("{type: local-subprocess, config: {start: fresh, max_workers: 2}}")
