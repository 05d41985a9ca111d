"""The map example as Python and as YAML, through the real CLI: the run logs agree."""

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import REPO, Cli

pytestmark = pytest.mark.integration

SUBPROCESS_CONFIG = "executor:\n  type: local-subprocess\n"


def comparable(log: dict[str, Any]) -> dict[str, Any]:
    """What must agree between two runs of one pipeline: everything but ids and clocks."""
    return {
        path: {
            "kind": step["kind"],
            "status": step["status"],
            "attempts": [a["status"] for a in step["attempts"]],
            "parameters": step["parameters"],
            "returns": step["returns"],
            "metrics": step["metrics"],
            "data_catalog": step["data_catalog"],
            "branches": step["branches"],
        }
        for path, step in log["steps"].items()
    }


@pytest.fixture
def example(workdir: Path) -> Path:
    target = workdir / "map_yaml"
    shutil.copytree(REPO / "examples" / "map_yaml", target)
    (target / "subprocess.yaml").write_text(SUBPROCESS_CONFIG)
    return target


def run(cli: Cli, example: Path, pipeline: str, run_id: str, *config: str) -> dict[str, Any]:
    result = cli("run", pipeline, "--run-id", run_id, *config, cwd=example)
    assert result.code == 0, result.stderr
    assert "3 files, 6 lines" in result.stdout
    assert "counted 6 lines" in result.stdout
    shown = cli("runs", "show", run_id, "--json", *config, cwd=example)
    assert shown.code == 0, shown.stderr
    log: dict[str, Any] = shown.json()
    assert log["status"] == "success"
    return log


def test_python_and_yaml_forms_give_the_same_run_log(cli: Cli, example: Path) -> None:
    from_python = run(cli, example, "pipeline.py", "py")
    from_yaml = run(cli, example, "pipeline.yaml", "yaml")

    assert from_yaml["pipeline"] == from_python["pipeline"]
    assert list(from_yaml["steps"]) == list(from_python["steps"])
    assert comparable(from_yaml) == comparable(from_python)
    steps = from_yaml["steps"]
    assert steps["generate"]["metrics"] == {"n_files": 3}
    assert [steps[f"per_file.{i}.count_lines"]["returns"] for i in range(3)] == [
        {"lines": 1},
        {"lines": 2},
        {"lines": 3},
    ]
    assert steps["per_file"]["returns"] == {"lines": 6}
    assert from_yaml["pipeline_file"] == str(example / "pipeline.yaml")


def test_yaml_pipeline_runs_step_by_step_in_subprocesses(cli: Cli, example: Path) -> None:
    local = run(cli, example, "pipeline.yaml", "local")
    isolated = run(cli, example, "pipeline.yaml", "isolated", "-c", "subprocess.yaml")
    assert comparable(isolated) == comparable(local)


def test_a_bad_yaml_pipeline_exits_2_before_any_step(cli: Cli, example: Path) -> None:
    text = (example / "pipeline.yaml").read_text().replace("counting.report", "counting.reprot")
    (example / "bad.yaml").write_text(text)
    result = cli("run", "bad.yaml", cwd=example)
    assert result.code == 2
    assert "steps[2] (step 'counting.reprot'): command 'counting.reprot'" in result.stderr
    assert "has no function 'reprot'" in " ".join(result.stderr.split())
    assert not (example / "data").exists()  # generate never ran
