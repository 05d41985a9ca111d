"""Rendered workflows, run by the test interpreter, leave the run log a local run leaves."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from runplane.adapters.run_log_stores.chunked_fs import (
    ChunkedFileSystemRunLogStore,
    ChunkedFileSystemRunLogStoreConfig,
)
from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.run_log import RunLog
from tests.integration.argo_interpreter import Interpreter
from tests.integration.argo_support import ARGO_CONFIG, ARGO_PIPELINES, render
from tests.integration.conftest import REPO, RUNPLANE, Cli
from tests.integration.test_argo_render import OVERRIDES

pytestmark = pytest.mark.integration

#: The Kubernetes secrets config/argo.yaml reads (the seed's `secret_key` among them).
SECRETS = {"postgres": {"connection_string": "postgres://db"}, "runplane": {"secret_key": "demo"}}


def shape(run: RunLog) -> dict[str, Any]:
    """What must match between executors: statuses, values, attempts, data, branches."""
    return {
        "status": run.status.value,
        "parameters": run.parameters,
        "steps": {
            path: {
                "status": step.status.value,
                "parameters": step.parameters,
                "returns": step.returns,
                "metrics": step.metrics,
                "branches": step.branches,
                "attempts": [a.status.value for a in step.attempts],
                "data": [(e.name, e.stage, e.sha256) for e in step.data_catalog],
            }
            for path, step in sorted(run.steps.items())
        },
    }


def local_run(
    image: Path, pipeline: str, tmp: Path, env: dict[str, str], clean_env: dict[str, str]
) -> RunLog:
    work = tmp / "local"
    shutil.copytree(image, work)
    params = ["-p", "params.yaml"] if (work / "params.yaml").is_file() else []
    subprocess.run(
        [RUNPLANE, "run", pipeline, "--run-id", "local", *params],
        cwd=work,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return FileSystemRunLogStore(
        FileSystemRunLogStoreConfig(log_folder=str(work / ".run_log_store"))
    ).get_run("local")


def interpret(
    manifest: dict[str, Any], image: Path, tmp: Path, **options: Any
) -> tuple[str, Interpreter]:
    volume, pods = tmp / "volume", tmp / "pods"
    volume.mkdir()
    pods.mkdir()
    interpreter = Interpreter(
        manifest,
        image=image,
        volumes={"runplane-volume": volume},
        scratch=pods,
        runplane=RUNPLANE,
        **options,
    )
    return interpreter.run("wf-test"), interpreter


def argo_run(tmp: Path, chunked: bool = False) -> RunLog:
    folder = str(tmp / "volume" / "run_log_store")
    if chunked:
        return ChunkedFileSystemRunLogStore(
            ChunkedFileSystemRunLogStoreConfig(log_folder=folder)
        ).get_run("wf-test")
    return FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=folder)).get_run("wf-test")


@pytest.mark.parametrize(
    ("pipeline", "phase"),
    [
        ("linear.py", "Succeeded"),
        ("parallel.py", "Succeeded"),
        ("map.py", "Succeeded"),
        ("nested.py", "Succeeded"),
        ("conditional.py", "Succeeded"),
        ("recover.py", "Succeeded"),
        ("failing_map.py", "Failed"),
        ("loop.py", "Succeeded"),
    ],
)
def test_interpreted_workflow_matches_a_local_run_step_for_step(
    pipeline: str, phase: str, tmp_path: Path, clean_env: dict[str, str]
) -> None:
    local = local_run(ARGO_PIPELINES, pipeline, tmp_path, {}, clean_env)
    outcome, interpreter = interpret(render(pipeline), ARGO_PIPELINES, tmp_path, secrets=SECRETS)
    remote = argo_run(tmp_path)
    assert shape(remote) == shape(local), "\n".join(p.output for p in interpreter.pods if p.code)
    assert outcome == phase
    assert local.status.value == ("success" if phase == "Succeeded" else "fail")


def test_retries_are_argo_retries_with_one_attempt_each(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    marks_local, marks_argo = tmp_path / "marks-local", tmp_path / "marks-argo"
    marks_local.mkdir()
    marks_argo.mkdir()
    local = local_run(
        ARGO_PIPELINES, "retry.py", tmp_path, {"FLAKY_DIR": str(marks_local)}, clean_env
    )
    outcome, interpreter = interpret(
        render("retry.py"),
        ARGO_PIPELINES,
        tmp_path,
        secrets=SECRETS,
        image_env={"FLAKY_DIR": str(marks_argo)},
    )
    assert shape(argo_run(tmp_path)) == shape(local)
    assert shape(local)["steps"]["flaky"]["attempts"] == ["fail", "fail", "success"]
    assert shape(local)["steps"]["hopeless"]["attempts"] == ["fail", "fail"]
    assert [p.template for p in interpreter.pods].count(
        "flaky"
    ) == 3  # three pods, one attempt each
    assert outcome == "Failed"


def test_overrides_and_a_chunked_store_run_the_same(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    config = tmp_path / "argo.yaml"
    config.write_text(OVERRIDES)
    local = local_run(ARGO_PIPELINES, "overrides.py", tmp_path, {}, clean_env)
    outcome, _ = interpret(render("overrides.py", config=config), ARGO_PIPELINES, tmp_path)
    assert outcome == "Succeeded"
    assert shape(argo_run(tmp_path, chunked=True)) == shape(local)


def test_the_seed_with_the_seed_configuration_matches_a_local_run(
    cli: Cli, workdir: Path, tmp_path: Path, clean_env: dict[str, str]
) -> None:
    image = tmp_path / "image"
    shutil.copytree(REPO / "examples" / "seed", image)
    rendered = cli(
        "render", "pipeline.py", "-c", str(ARGO_CONFIG), "-o", str(tmp_path / "wf.yaml"), cwd=image
    )
    assert rendered.code == 0, rendered.stderr
    manifest = yaml.safe_load((tmp_path / "wf.yaml").read_text())
    local = local_run(image, "pipeline.py", tmp_path, {"secret_key": "demo"}, clean_env)
    outcome, interpreter = interpret(
        manifest,
        image,
        tmp_path,
        secrets=SECRETS,  # secret_key from the Kubernetes secret
    )
    assert outcome == "Succeeded", "\n".join(p.output for p in interpreter.pods)
    assert shape(argo_run(tmp_path)) == shape(local)
    assert shape(local)["steps"]["consume"]["data"][0][:2] == ("data.csv", "get")
    assert [p.template for p in interpreter.pods] == [
        "start-run",
        "generate",
        "consume",
        "finish-run",
    ]


def test_a_missing_kubernetes_secret_fails_the_workflow_before_any_step(tmp_path: Path) -> None:
    outcome, interpreter = interpret(render("linear.py"), ARGO_PIPELINES, tmp_path, secrets={})
    assert outcome == "Error"
    assert interpreter.pods == []


def test_an_empty_with_param_makes_the_task_skipped(tmp_path: Path) -> None:
    """Argo 3 makes a task whose withParam is `[]` a Skipped node, not a succeeded group."""
    boom = {"name": "boom", "container": {"image": "i", "command": ["false"]}}
    main = {
        "name": "main",
        "dag": {
            "tasks": [
                {"name": "each", "template": "boom", "withParam": "[]"},
                {"name": "after", "template": "boom", "depends": "each.Skipped"},
            ]
        },
    }
    manifest = {
        "kind": "Workflow",
        "spec": {"entrypoint": "main", "arguments": {"parameters": []}, "templates": [main, boom]},
    }
    (tmp_path / "image").mkdir()
    interpreter = Interpreter(
        manifest, image=tmp_path / "image", volumes={}, scratch=tmp_path, runplane=RUNPLANE
    )
    assert interpreter.run() == "Failed"  # `after` ran (and failed): `each` was Skipped
    assert [(p.template, p.code) for p in interpreter.pods] == [("boom", 1)]
