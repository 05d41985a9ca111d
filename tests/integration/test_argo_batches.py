"""`iterations_per_pod`: one pod runs a batch of map iterations, each with its own records."""

import os
import shutil
from pathlib import Path

import pytest
import yaml

from runplane.domain.errors import ConfigurationError
from runplane.sdk import service
from tests.integration.argo_support import (
    ARGO_CONFIG,
    ARGO_PIPELINES,
    render,
    schema_errors,
    structure_errors,
    templates_of,
)
from tests.integration.test_argo_interpreter import SECRETS, argo_run, interpret, local_run, shape

pytestmark = pytest.mark.integration

BATCHED = Path(__file__).parent / "pipelines" / "argo_batched"


def config_with(tmp: Path, **executor: object) -> Path:
    """config/argo.yaml with more executor settings."""
    data = yaml.safe_load(ARGO_CONFIG.read_text())
    data["executor"]["config"].update(executor)
    path = tmp / "argo-batched.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def render_batched(config: Path, parameters: dict[str, object]) -> dict[str, object]:
    app = service(str(config))
    graph = app.load_pipeline(str(BATCHED / "big_map.py"))
    params = config.parent / "params.yaml"
    params.write_text(yaml.safe_dump(parameters))
    return app.render(graph, pipeline_file="big_map.py", parameters_file=str(params))


#: The issue's map (1,000 items, 50 per pod: 20 batch pods) with RUNPLANE_LONG_TESTS=1; by
#: default a small one, as every pod is a process (a workflow's pods dominate its time).
SIZE, PER_POD = (1000, 50) if os.environ.get("RUNPLANE_LONG_TESTS") == "1" else (40, 10)


def test_a_big_map_runs_a_pod_per_batch_of_iterations(tmp_path: Path) -> None:
    config = config_with(tmp_path, overrides={"batched": {"iterations_per_pod": PER_POD}})
    manifest = render_batched(config, {"size": SIZE})
    outcome, interpreter = interpret(manifest, BATCHED, tmp_path, secrets=SECRETS)
    assert outcome == "Succeeded", "\n".join(p.output for p in interpreter.pods if p.code)
    templates = [p.template for p in interpreter.pods]
    batches = SIZE // PER_POD  # 20 for the map
    assert templates.count("big-batch") == batches
    # The map: fan-out, the batches, fan-in; the run: start-run, numbers, total, finish-run.
    assert len([t for t in templates if t.startswith("big-")]) == batches + 2
    assert len(templates) == batches + 6
    run = argo_run(tmp_path)
    doubled = [k for k in run.steps if k.startswith("big.") and k.endswith(".double")]
    assert len(doubled) == SIZE  # every iteration still has its own record
    assert run.steps[f"big.{SIZE - 1}.double"].returns == {"doubled": 2 * (SIZE - 1)}
    assert run.steps["total"].returns == {"message": f"total {2 * sum(range(SIZE))}"}


def test_a_batched_map_leaves_the_run_log_of_a_local_run(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    image = tmp_path / "image"
    shutil.copytree(BATCHED, image)
    (image / "params.yaml").write_text("size: 7\n")
    local = local_run(image, "big_map.py", tmp_path, {}, clean_env)
    config = config_with(tmp_path, overrides={"batched": {"iterations_per_pod": 3}})
    outcome, interpreter = interpret(
        render_batched(config, {"size": 7}), image, tmp_path, secrets=SECRETS
    )
    assert outcome == "Succeeded"
    assert [p.template for p in interpreter.pods].count("big-batch") == 3  # 3 + 3 + 1
    assert shape(argo_run(tmp_path)) == shape(local)


def test_a_failing_iteration_fails_its_batch_and_the_map_as_locally(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    local = local_run(ARGO_PIPELINES, "failing_map.py", tmp_path, {}, clean_env)
    config = config_with(tmp_path, iterations_per_pod=2)  # the executor's default
    outcome, interpreter = interpret(
        render("failing_map.py", config=config), ARGO_PIPELINES, tmp_path, secrets=SECRETS
    )
    assert sorted(p.code for p in interpreter.pods if p.template == "m-batch") == [0, 1]
    assert shape(argo_run(tmp_path)) == shape(local)
    assert outcome == "Failed"


@pytest.mark.parametrize("per_pod", [1, 10])
def test_an_empty_map_runs_no_iteration_pod(tmp_path: Path, per_pod: int) -> None:
    config = config_with(tmp_path, overrides={"batched": {"iterations_per_pod": per_pod}})
    outcome, interpreter = interpret(
        render_batched(config, {"size": 0}), BATCHED, tmp_path, secrets=SECRETS
    )
    assert outcome == "Succeeded"
    assert interpreter.errors == []  # `[]` is a JSON list Argo expands to nothing
    assert [p.template for p in interpreter.pods if p.template.startswith("big")] == [
        "big-fan-out",
        "big-fan-in",
    ]
    assert argo_run(tmp_path).steps["big"].status.value == "success"


def test_the_batch_pods_use_the_override_the_branch_tasks_name(tmp_path: Path) -> None:
    config = config_with(
        tmp_path, overrides={"batched": {"iterations_per_pod": 5, "image": "worker:3"}}
    )
    manifest = render_batched(config, {})
    assert schema_errors(manifest) == []
    assert structure_errors(manifest) == []
    templates = templates_of(manifest)
    batch = templates["big-batch"]["container"]
    assert batch["image"] == "worker:3"
    assert batch["args"][-4:] == ["--batch", "{{inputs.parameters.batch}}", "--batch-size", "5"]


def test_a_map_whose_tasks_name_different_overrides_is_refused(tmp_path: Path) -> None:
    config = config_with(
        tmp_path, overrides={"a": {"iterations_per_pod": 5}, "b": {"iterations_per_pod": 2}}
    )
    pipeline = tmp_path / "two.py"
    pipeline.write_text(
        "from runplane import Map, Pipeline, Stub, PythonTask\n"
        "def f(item: int) -> None: ...\n"
        "pipeline = Pipeline([Map('m', iterate_on='xs', iterate_as='item', branch=Pipeline([\n"
        "    PythonTask(f, name='one', overrides={'argo': 'a'}),\n"
        "    PythonTask(f, name='two', overrides={'argo': 'b'})]))])\n"
    )
    app = service(str(config))
    with pytest.raises(ConfigurationError, match="different argo overrides \\(a, b\\)"):
        app.render(app.load_pipeline(str(pipeline)), pipeline_file="two.py")
