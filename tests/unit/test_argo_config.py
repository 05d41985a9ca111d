import pytest

from runplane import Pipeline, Stub
from runplane.adapters.executors.argo import ArgoExecutor, ArgoExecutorConfig
from runplane.adapters.executors.argo.naming import Namer, dns_name
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import ConfigurationError, ExecutionError, RendersOnlyError
from runplane.domain.run_log import Status
from runplane.ports.executor import Renderer, RunPlan, StepRunner, Submitter
from tests.fakes import DictSecrets, MemoryCatalog


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Train Model", "train-model"),
        ("each item.branch.square", "each-item-branch-square"),
        ("3d_render", "s-3d-render"),
        ("__", "s"),
        ("a" * 80, "a" * 56),
    ],
)
def test_dns_name_is_a_lowercase_label_starting_with_a_letter(text: str, name: str) -> None:
    assert dns_name(text) == name


def test_namer_keeps_names_unique_and_short() -> None:
    names = Namer(reserved=["runplane"])
    claimed = [names.claim(n) for n in ["runplane", "a b", "a-b", "A_B", "x" * 80, "x" * 81]]
    assert claimed == ["runplane-2", "a-b", "a-b-2", "a-b-3", "x" * 56, "x" * 54 + "-2"]


def test_an_override_changes_what_it_sets_and_merges_env_and_resources() -> None:
    config = ArgoExecutorConfig.model_validate(
        {
            "image": "base:1",
            "env": {"A": "1"},
            "node_selector": {"pool": "cpu"},
            "resources": {"requests": {"cpu": "1"}},
            "overrides": {"gpu": {"env": {"B": "2"}, "resources": {"limits": {"gpu": 1}}}},
        }
    )
    settings = config.settings_for("gpu", "train")
    assert settings.image == "base:1"
    assert settings.env == {"A": "1", "B": "2"}
    assert settings.node_selector == {"pool": "cpu"}
    assert settings.resources is not None
    assert settings.resources.model_dump(exclude_none=True) == {
        "requests": {"cpu": "1"},
        "limits": {"gpu": 1},
    }
    assert config.settings_for(None, "train") is config


def test_the_seed_configuration_block_loads_and_rejects_typos() -> None:
    block = {
        "image": "image_to_use",
        "persistent_volumes": [{"name": "runplane-volume", "mount_path": "/mnt"}],
        "secrets_from_k8s": [
            {"environment_variable": "c", "secret_name": "postgres", "secret_key": "c"}
        ],
    }
    assert ArgoExecutorConfig.model_validate(block).persistent_volumes[0].mount_path == "/mnt"
    with pytest.raises(ValueError, match="persistent_volume"):
        ArgoExecutorConfig.model_validate({**block, "persistent_volume": []})


def test_the_argo_executor_renders_and_submits_by_its_ports() -> None:
    executor = ArgoExecutor(ArgoExecutorConfig(image="x"))
    assert isinstance(executor, Renderer)
    assert isinstance(executor, Submitter)


def test_the_service_refuses_to_run_with_a_render_only_executor() -> None:
    store = BufferedRunLogStore()
    service = RunService(
        executor=ArgoExecutor(ArgoExecutorConfig(image="x")),
        run_log_store=store,
        catalog=MemoryCatalog(),
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner()},
    )
    with pytest.raises(ExecutionError, match="runplane render"):
        service.run(Pipeline([Stub("s")]).graph)
    assert store.list_runs() == []
    with pytest.raises(ConfigurationError):
        RunService(
            executor=_NotARenderer(),
            run_log_store=store,
            catalog=MemoryCatalog(),
            secrets=DictSecrets(),
            task_runners={},
        ).render(Pipeline([Stub("s")]).graph, pipeline_file="p.py")


class _NotARenderer:
    def execute(self, plan: RunPlan, steps: StepRunner) -> Status:
        raise AssertionError("not called")


def test_iterations_per_pod_defaults_to_one_and_an_override_can_change_it() -> None:
    config = ArgoExecutorConfig.model_validate(
        {"image": "i", "overrides": {"batched": {"iterations_per_pod": 50}, "gpu": {}}}
    )
    assert config.iterations_per_pod == 1
    assert config.settings_for("batched", "m").iterations_per_pod == 50
    assert config.settings_for("gpu", "m").iterations_per_pod == 1  # the default carries over


@pytest.mark.parametrize(
    "settings",
    [
        {"image": "i", "iterations_per_pod": 0},
        {"image": "i", "overrides": {"b": {"iterations_per_pod": -1}}},
        {"image": "i", "iterations_per_pod": "many"},
    ],
)
def test_iterations_per_pod_must_be_a_positive_integer(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="iterations_per_pod"):
        ArgoExecutorConfig.model_validate(settings)


def test_a_retry_with_a_render_only_executor_is_refused_before_reading_the_store() -> None:
    store = BufferedRunLogStore()
    service = RunService(
        executor=ArgoExecutor(ArgoExecutorConfig(image="x")),
        run_log_store=store,
        catalog=MemoryCatalog(),
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner()},
    )
    # Not RunLogNotFoundError: the CLI renders a retry workflow on this error instead.
    with pytest.raises(RendersOnlyError, match="hands pipelines to an orchestrator"):
        service.retry("no-such-run")
    assert store.list_runs() == []
