"""Retrying an Argo run: a rendered workflow whose start-run records the service's retry."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.ports.executor import RetryOf
from runplane.sdk import service
from tests.integration.argo_interpreter import Interpreter
from tests.integration.argo_support import (
    ARGO_CONFIG,
    ARGO_PIPELINES,
    render,
    schema_errors,
    structure_errors,
    templates_of,
)
from tests.integration.conftest import RUNPLANE, Cli
from tests.integration.test_argo_interpreter import SECRETS, argo_run, interpret, shape
from tests.integration.test_argo_submit import FakeArgoServer, argo_server  # noqa: F401

pytestmark = pytest.mark.integration


def test_a_retry_workflow_reuses_what_the_failed_run_finished_as_a_local_retry_does(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    # Locally: the run fails at `second`; once the cause is gone, the retry reuses `first`.
    work = tmp_path / "local"
    shutil.copytree(ARGO_PIPELINES, work)
    for args, env in (
        (["run", "breaks.py", "--run-id", "local", "-p", "params.yaml"], {"BREAK": "1"}),
        (["retry", "local", "--run-id", "local-retry"], {}),
    ):
        subprocess.run(
            [RUNPLANE, *args], cwd=work, env={**clean_env, **env}, capture_output=True, check=False
        )
    store = FileSystemRunLogStore(
        FileSystemRunLogStoreConfig(log_folder=str(work / ".run_log_store"))
    )
    local_retry = store.get_run("local-retry")
    assert local_retry.status.value == "success"

    # On Argo: the failed workflow, then the retry workflow on the same volume.
    failed, _ = interpret(
        render("breaks.py"), ARGO_PIPELINES, tmp_path, secrets=SECRETS, image_env={"BREAK": "1"}
    )
    assert failed == "Failed"
    app = service(str(ARGO_CONFIG))
    manifest = app.render(
        app.load_pipeline(str(ARGO_PIPELINES / "breaks.py")),
        pipeline_file="breaks.py",
        retry_of=RetryOf("wf-test"),
    )
    (tmp_path / "pods-retry").mkdir()
    retry = Interpreter(
        manifest,
        image=ARGO_PIPELINES,
        volumes={"runplane-volume": tmp_path / "volume"},
        scratch=tmp_path / "pods-retry",
        runplane=RUNPLANE,
        secrets=SECRETS,
    )
    assert retry.run("wf-retry") == "Succeeded", "\n".join(p.output for p in retry.pods)
    argo_retry = FileSystemRunLogStore(
        FileSystemRunLogStoreConfig(log_folder=str(tmp_path / "volume" / "run_log_store"))
    ).get_run("wf-retry")
    assert shape(argo_retry) == shape(local_retry)
    assert argo_retry.original_run_id == "wf-test"
    assert argo_retry.steps["first"].reused_from == "wf-test", "\n".join(
        p.output for p in retry.pods
    )
    assert argo_retry.steps["second"].reused_from is None
    assert argo_retry.initial_parameters == argo_run(tmp_path).initial_parameters
    start = next(p for p in retry.pods if p.template == "start-run")
    assert "--retry-of" in start.args
    assert "--parameters-json" not in start.args  # the original run's parameters


def test_runplane_retry_with_argo_renders_the_retry_workflow(cli: Cli, workdir: Path) -> None:
    result = cli(
        "retry", "wf-test", "-c", str(ARGO_CONFIG), "--pipeline", str(ARGO_PIPELINES / "breaks.py"),
        "--from", "second", "--run-id", "wf-again", "-o", "retry.yaml",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    manifest = yaml.safe_load((workdir / "retry.yaml").read_text())
    assert schema_errors(manifest) == []
    assert structure_errors(manifest) == []
    args = templates_of(manifest)["start-run"]["container"]["args"]
    assert args[-4:] == ["--retry-of", "wf-test", "--from", "second"]
    assert manifest["spec"]["arguments"]["parameters"][0] == {"name": "run_id", "value": "wf-again"}


def test_runplane_retry_with_argo_submits_the_retry_workflow(
    cli: Cli,
    argo_server: FakeArgoServer,  # noqa: F811
) -> None:
    result = cli(
        "retry", "wf-test", "-c", str(ARGO_CONFIG), "--pipeline", str(ARGO_PIPELINES / "breaks.py"),
        "--submit", "--server", argo_server.url, "--namespace", "ml",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "linear-abc12"
    (posted,) = argo_server.requests
    assert posted["path"] == "/api/v1/workflows/ml"
    templates = {t["name"]: t for t in posted["body"]["workflow"]["spec"]["templates"]}
    assert "--retry-of" in templates["start-run"]["container"]["args"]


def test_submit_without_a_server_and_from_without_retry_of_are_refused(
    cli: Cli, workdir: Path
) -> None:
    pipeline = str(ARGO_PIPELINES / "breaks.py")
    result = cli("retry", "x", "-c", str(ARGO_CONFIG), "--pipeline", pipeline, "--submit")
    assert result.code == 2
    assert "--submit needs --server URL" in result.stderr
    result = cli("start-run", pipeline, "--run-id", "r", "--from", "second")
    assert result.code == 2
    assert "--from applies to a retry" in result.stderr
