"""The executors that run steps in this process pass the executor contracts.

local-subprocess starts processes: tests/integration/test_executor_contracts.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runplane.testing.executor import (
    LINEAR,
    ExecutorContract,
    ExecutorRunsTasksContract,
    RunPipeline,
    traced,
)
from tests.executor_runs import with_executor


class TestLocalExecutor(ExecutorRunsTasksContract):
    @pytest.fixture
    def run_pipeline(self, workdir: Path) -> RunPipeline:
        return with_executor("{type: local}")


class TestLocalExecutorWithThreads(ExecutorRunsTasksContract):
    @pytest.fixture
    def run_pipeline(self, workdir: Path) -> RunPipeline:
        return with_executor("{type: local, config: {max_workers: 2}}")


class TestMockedExecutor(ExecutorContract):
    @pytest.fixture
    def run_pipeline(self, workdir: Path) -> RunPipeline:
        return with_executor("{type: mocked}")

    def test_no_task_runs(self, run_pipeline: RunPipeline, workdir: Path) -> None:
        run_pipeline(LINEAR)
        assert traced(workdir) == []
