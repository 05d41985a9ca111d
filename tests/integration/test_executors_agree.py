"""Every example runs under `local` and `local-subprocess` (its processes forked from a step
server, and fresh interpreters), and their run logs agree."""

from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import REPO, Cli

pytestmark = pytest.mark.integration

EXAMPLES = {
    "seed": ("seed/pipeline.py", None, {"secret_key": "s"}),
    "parallel_training": ("parallel_training/pipeline.py", "parallel_training/params.yaml", {}),
    "map_files": ("map_files/pipeline.py", None, {}),
    "conditional": ("conditional/pipeline.py", None, {}),
    "conditional_env": ("conditional/pipeline.py", None, {"RUNPLANE_PRM_size": "5000"}),
    "retry": ("retry/pipeline.py", None, {}),
    "loop": ("loop/pipeline.py", None, {}),
    "objects": ("../tests/integration/pipelines/objects.py", None, {}),
}


def comparable(log: dict[str, Any]) -> dict[str, Any]:
    return {
        path: (
            step["status"],
            step["returns"],
            step["metrics"],
            sorted((e["name"], e["stage"], e["sha256"]) for e in step["data_catalog"]),
            [a["status"] for a in step["attempts"]],
            step["branches"],
        )
        for path, step in log["steps"].items()
    }


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_runs_the_same_under_every_executor(cli: Cli, workdir: Path, example: str) -> None:
    pipeline, params, env = EXAMPLES[example]
    logs = {}
    for executor in ("local", "fork-server", "fresh"):
        run_dir = workdir / executor
        run_dir.mkdir()
        config = []
        if executor != "local":
            (run_dir / "sub.yaml").write_text(
                "executor: {type: local-subprocess, "
                f"config: {{max_workers: 2, start: {executor}}}}}\n"
            )
            config = ["-c", "sub.yaml"]
        args = ["run", str(REPO / "examples" / pipeline), "--run-id", "r", *config]
        if params:
            args += ["-p", str(REPO / "examples" / params)]
        result = cli(*args, env=env, cwd=run_dir)
        assert result.code == 0, result.stderr
        logs[executor] = cli("runs", "show", "r", "--json", cwd=run_dir).json()
    assert logs["local"]["status"] == "success"
    for start in ("fork-server", "fresh"):
        assert logs["local"]["parameters"] == logs[start]["parameters"], start
        assert comparable(logs["local"]) == comparable(logs[start]), start
