"""Runs the executor contract's pipelines through the SDK with a configured executor."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

from runplane import RunFailedError
from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.run_log import RunLog
from runplane.testing.executor import RunPipeline

RUN_ID = "contract"
_modules = itertools.count()


def with_executor(section: str) -> RunPipeline:
    """Run pipeline source in the working directory with the executor `section` (YAML).

    The other ports are the defaults (file-system run log and catalog, secrets from the
    environment), which processes started by the executor find as this one does.
    """

    def run(source: str) -> RunLog:
        workdir = Path.cwd()
        (workdir / "config.yaml").write_text(f"executor: {section}\n")
        path = workdir / "pipeline.py"
        path.write_text(source)
        # A fresh module per run: the pipeline's functions are defined in the file the
        # executor's processes load again.
        name = f"executor_contract_pipeline_{next(_modules)}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
            module.pipeline.execute(configuration_file="config.yaml", run_id=RUN_ID)
        except RunFailedError:
            pass  # the contract reads the failure from the record
        finally:
            del sys.modules[name]
        store = FileSystemRunLogStore(
            FileSystemRunLogStoreConfig(log_folder=str(workdir / ".run_log_store"))
        )
        return store.get_run(RUN_ID)

    return run
