import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from runplane.adapters.executors.argo import ArgoExecutor, ArgoExecutorConfig
from runplane.domain.errors import ConfigurationError, ExecutionError
from runplane.sdk import service
from tests.integration.argo_support import (
    ARGO_CONFIG,
    ARGO_PIPELINES,
    render,
    schema_errors,
    spec_of,
    structure_errors,
    templates_of,
)
from tests.integration.conftest import REPO, Cli

pytestmark = pytest.mark.integration

PIPELINES = sorted(p.name for p in ARGO_PIPELINES.glob("*.py"))
OVERRIDES = """
executor:
  type: argo
  config:
    image: runner:1
    image_pull_policy: IfNotPresent
    image_pull_secrets: [registry]
    service_account_name: runplane
    labels: {team: ml}
    annotations: {owner: ml@example.com}
    parallelism: 4
    active_deadline_seconds: 3600
    ttl_strategy: {seconds_after_success: 600}
    resources: {requests: {cpu: "500m", memory: 1Gi}}
    node_selector: {pool: cpu}
    env: {LOG_LEVEL: info}
    persistent_volumes: [{name: runplane-volume, mount_path: /mnt}]
    overrides:
      gpu:
        image: trainer:2
        resources: {limits: {gpu: 1, memory: 16Gi}}
        node_selector: {pool: gpu}
        tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
        env: {CUDA: "1"}
run_log_store: {type: chunked-fs, config: {log_folder: /mnt/run_log_store}}
catalog: {type: file-system, config: {catalog_location: /mnt/catalog}}
"""


@pytest.fixture
def overrides_config(tmp_path: Path) -> Path:
    path = tmp_path / "argo-overrides.yaml"
    path.write_text(OVERRIDES)
    return path


def task_steps(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Container templates that run `execute-step`, by name."""
    return {
        name: t
        for name, t in templates_of(manifest).items()
        if "container" in t and t["container"]["args"][0] == "execute-step"
    }


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_every_example_renders_a_schema_valid_and_well_formed_workflow(
    pipeline: str, overrides_config: Path
) -> None:
    manifest = render(
        pipeline, config=overrides_config if pipeline == "overrides.py" else ARGO_CONFIG
    )
    assert schema_errors(manifest) == []
    assert structure_errors(manifest) == []


@pytest.mark.parametrize("kind", ["WorkflowTemplate", "CronWorkflow"])
def test_other_kinds_are_schema_valid(kind: str) -> None:
    schedule = "0 3 * * *" if kind == "CronWorkflow" else None
    manifest = render("nested.py", kind=kind, schedule=schedule)
    assert manifest["kind"] == kind
    assert manifest["metadata"]["name"] == "nested"
    assert schema_errors(manifest) == []
    assert structure_errors(manifest) == []
    if kind == "CronWorkflow":
        assert manifest["spec"]["schedules"] == ["0 3 * * *"]


def test_the_seed_renders_with_the_seed_configuration_through_the_cli(
    cli: Cli, workdir: Path
) -> None:
    result = cli(
        "render",
        str(REPO / "examples" / "seed" / "pipeline.py"),
        "-c",
        str(ARGO_CONFIG),
        "-o",
        "wf.yaml",
    )
    assert result.code == 0, result.stderr
    manifest = yaml.safe_load((workdir / "wf.yaml").read_text())
    assert schema_errors(manifest) == []
    assert structure_errors(manifest) == []
    spec = manifest["spec"]
    assert manifest["metadata"]["generateName"] == "seed-"
    assert spec["arguments"]["parameters"][0] == {"name": "run_id", "value": "{{workflow.name}}"}
    assert spec["volumes"] == [
        {"name": "runplane-volume", "persistentVolumeClaim": {"claimName": "runplane-volume"}}
    ]
    generate = templates_of(manifest)["generate"]["container"]
    assert generate["image"] == "image_to_use"
    assert generate["volumeMounts"] == [{"name": "runplane-volume", "mountPath": "/mnt"}]
    # The seed's secret comes from the Kubernetes secret `runplane`, into every container.
    secret = {
        "name": "secret_key",
        "valueFrom": {"secretKeyRef": {"name": "runplane", "key": "secret_key"}},
    }
    assert all(secret in t["container"]["env"] for t in task_steps(manifest).values())
    env = {e["name"]: e.get("value") for e in generate["env"]}
    assert json.loads(env["RUNPLANE_RUN_LOG_STORE"])["config"] == {
        "log_folder": "/mnt/run_log_store"
    }
    assert generate["args"][:5] == [
        "execute-step",
        str(REPO / "examples" / "seed" / "pipeline.py"),
        "{{inputs.parameters.step}}",
        "--run-id",
        "{{workflow.parameters.run_id}}",
    ]


def test_the_entrypoint_records_the_run_first_and_its_status_whatever_happened() -> None:
    entry = templates_of(render("linear.py"))["runplane"]
    tasks = {t["name"]: t for t in entry["dag"]["tasks"]}
    assert list(tasks) == ["start-run", "pipeline", "finish-run"]
    assert tasks["pipeline"]["depends"] == "start-run.Succeeded"
    assert (
        tasks["finish-run"]["depends"]
        == "pipeline.Succeeded || pipeline.Failed || pipeline.Errored"
    )


def test_parameters_file_becomes_the_workflow_parameters_argument() -> None:
    arguments = spec_of(render("linear.py"))["arguments"]["parameters"]
    assert json.loads(arguments[1]["value"]) == {"seed": 2, "count": 3, "numbers": [1, 2, 3]}
    start = templates_of(render("linear.py"))["start-run"]["container"]["args"]
    assert start[-2:] == ["--parameters-json", "{{workflow.parameters.parameters}}"]


def test_step_names_with_spaces_become_unique_dns_names() -> None:
    manifest = render("linear.py")
    pipeline = templates_of(manifest)["pipeline"]["dag"]["tasks"]
    check = next(t for t in pipeline if t["name"] == "check-file")
    assert check["arguments"]["parameters"] == [{"name": "step", "value": "check file"}]
    assert check["depends"] == "shout.Succeeded"


def test_map_fans_out_with_param_and_passes_the_key_into_step_paths() -> None:
    templates = templates_of(render("map.py"))
    each = {t["name"]: t for t in templates["each-item"]["dag"]["tasks"]}
    assert list(each) == ["fan-out", "branches", "fan-in"]
    assert each["branches"]["withParam"] == "{{tasks.fan-out.outputs.parameters.branches}}"
    assert each["branches"]["arguments"]["parameters"] == [
        {"name": "prefix", "value": "{{inputs.parameters.step}}.{{item}}"}
    ]
    assert "branches.Failed" in each["fan-in"]["depends"]
    fan_out = templates[each["fan-out"]["template"]]
    assert (
        fan_out["outputs"]["parameters"][0]["valueFrom"]["path"] == fan_out["container"]["args"][-1]
    )
    branch = templates[each["branches"]["template"]]["dag"]["tasks"]
    assert branch[0]["arguments"]["parameters"][0]["value"] == "{{inputs.parameters.prefix}}.square"


def test_conditional_branches_run_when_the_fan_out_chose_them() -> None:
    templates = templates_of(render("conditional.py"))
    tasks = {t["name"]: t for t in templates["route-step"]["dag"]["tasks"]}
    # The fan-out writes the chosen branch's position: a bare integer, whatever the key.
    assert tasks["branch-heavy"]["when"] == "{{tasks.fan-out.outputs.parameters.chosen}} == 0"
    assert tasks["branch-light"]["when"] == "{{tasks.fan-out.outputs.parameters.chosen}} == 1"
    fan_out = templates[tasks["fan-out"]["template"]]
    assert fan_out["container"]["args"][-2:] == ["--chosen", "/tmp/runplane/chosen"]
    assert fan_out["outputs"]["parameters"][0]["name"] == "chosen"
    assert "branch-light.Skipped" in tasks["fan-in"]["depends"]


def test_on_failure_handlers_depend_on_the_failure_and_the_next_step_on_success() -> None:
    tasks = {t["name"]: t for t in templates_of(render("recover.py"))["pipeline"]["dag"]["tasks"]}
    assert tasks["recover"]["depends"] == "(explode.Failed || explode.Errored)"
    assert tasks["never"]["depends"] == "explode.Succeeded"
    assert "depends" not in tasks["explode"]


def test_max_attempts_becomes_a_retry_strategy_with_one_attempt_per_container() -> None:
    steps = task_steps(render("retry.py"))
    assert steps["flaky"]["retryStrategy"] == {"limit": "2", "retryPolicy": "OnFailure"}
    assert steps["flaky"]["container"]["args"][-2:] == ["--attempts", "1"]
    assert steps["hopeless"]["retryStrategy"]["limit"] == "1"
    linear = task_steps(render("linear.py"))
    assert all(
        "retryStrategy" not in t and "--attempts" not in t["container"]["args"]
        for t in linear.values()
    )


def test_a_step_override_changes_only_that_steps_container(overrides_config: Path) -> None:
    manifest = render("overrides.py", config=overrides_config)
    assert schema_errors(manifest) == []
    steps = task_steps(manifest)
    train, report = steps["train"], steps["report"]
    assert train["container"]["image"] == "trainer:2"
    assert train["container"]["resources"] == {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"nvidia.com/gpu": "1", "memory": "16Gi"},
    }
    assert train["nodeSelector"] == {"pool": "gpu"}
    assert train["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
    env = {e["name"]: e.get("value") for e in train["container"]["env"]}
    assert (env["CUDA"], env["LOG_LEVEL"]) == ("1", "info")
    assert report["container"]["image"] == "runner:1"
    assert report["nodeSelector"] == {"pool": "cpu"}
    assert "tolerations" not in report
    assert report["container"]["imagePullPolicy"] == "IfNotPresent"


def test_workflow_wide_settings_land_in_the_spec_and_metadata(overrides_config: Path) -> None:
    manifest = render("overrides.py", config=overrides_config)
    spec = manifest["spec"]
    assert manifest["metadata"]["labels"] == {"team": "ml"}
    assert manifest["metadata"]["annotations"] == {"owner": "ml@example.com"}
    assert spec["serviceAccountName"] == "runplane"
    assert spec["imagePullSecrets"] == [{"name": "registry"}]
    assert (spec["parallelism"], spec["activeDeadlineSeconds"]) == (4, 3600)
    assert spec["ttlStrategy"] == {"secondsAfterSuccess": 600}


def test_an_unknown_override_is_named_with_the_valid_ones(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("executor: {type: argo, config: {image: x, overrides: {big: {image: y}}}}\n")
    with pytest.raises(
        ConfigurationError, match=r"step 'train' names argo override 'gpu'.*overrides: big"
    ):
        render("overrides.py", config=config)


@pytest.mark.parametrize(
    ("kind", "schedule", "message"),
    [
        ("Pod", None, "valid kinds: Workflow, WorkflowTemplate, CronWorkflow"),
        ("CronWorkflow", None, "needs a schedule"),
        ("Workflow", "0 * * * *", "CronWorkflow only"),
    ],
)
def test_bad_kind_or_schedule_is_refused(kind: str, schedule: str | None, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        render("linear.py", kind=kind, schedule=schedule)


def test_run_with_the_argo_executor_explains_render_and_submit(cli: Cli, workdir: Path) -> None:
    result = cli("run", str(ARGO_PIPELINES / "linear.py"), "-c", str(ARGO_CONFIG))
    assert result.code == 2
    assert "runplane render" in result.stderr
    assert "runplane submit" in result.stderr
    assert not (workdir / ".run_log_store").exists()


def test_render_with_a_local_executor_says_which_executor_renders() -> None:
    app = service(None)
    with pytest.raises(ConfigurationError, match="'argo'"):
        app.render(app.load_pipeline(str(ARGO_PIPELINES / "linear.py")), pipeline_file="linear.py")


def test_the_argo_executor_does_not_run_in_process() -> None:
    with pytest.raises(ExecutionError, match="runplane render"):
        ArgoExecutor(ArgoExecutorConfig(image="x")).execute(None, None)  # type: ignore[arg-type]


def test_deeply_nested_long_names_stay_unique_and_short() -> None:
    manifest = render("nested.py")
    names = list(templates_of(manifest))
    assert len(names) == len(set(names))
    assert all(len(n) <= 63 for n in names)
    assert {"par", "par-a-inner", "par-a-inner-fan-out", "par-a-inner-branch-cube"} <= set(names)
