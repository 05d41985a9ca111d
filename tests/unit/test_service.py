import hashlib
import os
from pathlib import Path

import pytest
from pydantic import BaseModel

from runplane import Catalog, Pipeline, PythonTask, ShellTask, Stub, Success, metric
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import RunAlreadyExistsError, SecretNotFoundError
from runplane.domain.run_log import Status
from tests.fakes import DictSecrets, MemoryCatalog


@pytest.fixture
def store() -> BufferedRunLogStore:
    return BufferedRunLogStore()


@pytest.fixture
def secrets() -> DictSecrets:
    return DictSecrets({"api_key": "s3cr3t-value"})


@pytest.fixture
def service(
    store: BufferedRunLogStore,
    secrets: DictSecrets,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> RunService:
    monkeypatch.chdir(tmp_path)
    return make_service(store, secrets)


def make_service(store: BufferedRunLogStore, secrets: DictSecrets) -> RunService:
    return RunService(
        executor=LocalExecutor(),
        run_log_store=store,
        catalog=MemoryCatalog(),
        secrets=secrets,
        task_runners={"python": PythonTaskRunner(), "shell": ShellTaskRunner()},
    )


def generate() -> tuple[int, int]:
    Path("data.csv").write_text("a\n1\n")
    return 3, 4


def add(x: int, y: int) -> int:
    return x + y


def test_returns_flow_to_later_steps_and_are_recorded(service: RunService) -> None:
    pipeline = Pipeline([PythonTask(generate, returns=["x", "y"]), PythonTask(add, returns=["z"])])
    run = service.run(pipeline.graph, run_id="r1", tag="t")
    assert run.status is Status.SUCCESS
    assert run.parameters == {"x": 3, "y": 4, "z": 7}
    add_step = run.steps["add"]
    assert add_step.parameters == {"x": 3, "y": 4}
    assert add_step.returns == {"z": 7}
    assert [a.status for a in add_step.attempts] == [Status.SUCCESS]


def test_run_log_in_store_matches_what_run_returns(
    service: RunService, store: BufferedRunLogStore
) -> None:
    pipeline = Pipeline([PythonTask(generate, returns=["x", "y"]), PythonTask(add, returns=["z"])])
    run = service.run(pipeline.graph, run_id="r1")
    assert store.get_run("r1").to_dict() == run.to_dict()


def test_env_sets_initial_values_over_the_file_and_returns_replace_them(
    service: RunService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "params.yaml").write_text("x: 1\ny: 2\nkeep: from-file\n")
    monkeypatch.setenv("RUNPLANE_PRM_y", "100")
    seen: dict[str, object] = {}

    def first(x: int, y: int, keep: str) -> int:
        seen.update(x=x, y=y, keep=keep)
        return 10

    def second(x: int, y: int) -> None:
        seen.update(x2=x, y2=y)

    pipeline = Pipeline([PythonTask(first, returns=["y"]), PythonTask(second)])
    run = service.run(pipeline.graph, parameters_file="params.yaml")
    assert seen == {"x": 1, "y": 100, "keep": "from-file", "x2": 1, "y2": 10}
    assert run.initial_parameters == {"x": 1, "y": 100, "keep": "from-file"}
    assert run.parameters == {"x": 1, "y": 10, "keep": "from-file"}


class Settings(BaseModel):
    rate: float
    layers: list[int]


def test_pydantic_model_arguments_and_returns(service: RunService, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("settings: {rate: 0.1, layers: [1, 2]}\n")

    def tune(settings: Settings) -> Settings:
        assert isinstance(settings, Settings)
        return Settings(rate=settings.rate * 2, layers=[*settings.layers, 3])

    def check(tuned: Settings) -> None:
        assert tuned.layers == [1, 2, 3]

    pipeline = Pipeline([PythonTask(tune, returns=["tuned"]), PythonTask(check)])
    run = service.run(pipeline.graph, parameters_file="p.yaml")
    assert run.status is Status.SUCCESS
    assert run.steps["tune"].returns == {"tuned": {"rate": 0.2, "layers": [1, 2, 3]}}


def test_a_metric_is_recorded_as_a_metric_and_passed_on(service: RunService) -> None:
    def train() -> tuple[float, str]:
        return 0.93, "model-v1"

    def report(accuracy: float) -> str:
        return f"accuracy {accuracy}"

    pipeline = Pipeline(
        [
            PythonTask(train, returns=[metric("accuracy"), "model"]),
            PythonTask(report, returns=["line"]),
        ]
    )
    run = service.run(pipeline.graph)
    assert run.steps["train"].metrics == {"accuracy": 0.93}
    assert run.steps["train"].returns == {"accuracy": 0.93, "model": "model-v1"}
    assert run.parameters["line"] == "accuracy 0.93"


def test_missing_parameter_fails_the_step_naming_argument_and_available(
    service: RunService,
) -> None:
    run = service.run(
        Pipeline([PythonTask(generate, returns=["x", "y"]), PythonTask(lambda_z)]).graph
    )
    assert run.status is Status.FAIL
    message = run.steps["lambda_z"].attempts[-1].message
    assert "'lambda_z'" in message
    assert "argument 'z'" in message
    assert "parameters available: x, y" in message


def lambda_z(z: int) -> None:
    pass


def test_failed_attempts_are_retried_and_each_recorded(service: RunService) -> None:
    calls = []

    def flaky() -> None:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError(f"try {len(calls)} failed")

    run = service.run(Pipeline([PythonTask(flaky, max_attempts=3)]).graph)
    attempts = run.steps["flaky"].attempts
    assert run.status is Status.SUCCESS
    assert [(a.number, a.status) for a in attempts] == [
        (1, Status.FAIL),
        (2, Status.FAIL),
        (3, Status.SUCCESS),
    ]
    assert attempts[0].message == "RuntimeError: try 1 failed"
    assert all(a.end_time for a in attempts)


def boom() -> None:
    raise ValueError("bad row 7")


def test_failure_keeps_user_traceback_without_runplane_frames(service: RunService) -> None:
    run = service.run(Pipeline([PythonTask(boom), Stub("never")]).graph)
    assert run.status is Status.FAIL
    assert "never" not in run.steps
    attempt = run.steps["boom"].attempts[0]
    assert attempt.message == "ValueError: bad row 7"
    assert "test_service.py" in attempt.traceback
    assert 'raise ValueError("bad row 7")' in attempt.traceback
    assert "runplane/app" not in attempt.traceback
    assert "runplane/adapters" not in attempt.traceback


def test_on_failure_handler_runs_and_run_still_fails(service: RunService) -> None:
    run = service.run(Pipeline([PythonTask(boom, on_failure=Stub("notify")), Stub("next")]).graph)
    assert list(run.steps) == ["boom", "notify"]
    assert run.status is Status.FAIL


def test_on_failure_handler_ending_in_success_recovers(service: RunService) -> None:
    handler = Pipeline([Stub("cleanup"), Success()])
    run = service.run(Pipeline([PythonTask(boom, on_failure=handler)]).graph)
    assert run.status is Status.SUCCESS
    assert run.steps["boom"].status is Status.FAIL


def test_secrets_are_set_only_while_the_task_runs(service: RunService) -> None:
    seen = {}

    def use_secret() -> None:
        seen["during"] = os.environ.get("api_key")

    service.run(Pipeline([PythonTask(use_secret, secrets=["api_key"])]).graph)
    assert seen["during"] == "s3cr3t-value"
    assert "api_key" not in os.environ


def test_secret_value_never_reaches_the_run_log(service: RunService) -> None:
    def leak() -> None:
        raise RuntimeError(f"cannot connect with {os.environ['api_key']}")

    run = service.run(Pipeline([PythonTask(leak, secrets=["api_key"])]).graph)
    assert run.status is Status.FAIL
    attempt = run.steps["leak"].attempts[0]
    assert "s3cr3t-value" not in attempt.message
    assert "s3cr3t-value" not in attempt.traceback
    assert "***" in attempt.message
    assert "s3cr3t-value" not in str(run.to_dict())


def test_missing_secret_stops_the_run_before_any_step(
    service: RunService, store: BufferedRunLogStore
) -> None:
    pipeline = Pipeline([Stub("first"), PythonTask(add, secrets=["absent_secret"])])
    with pytest.raises(
        SecretNotFoundError, match="step 'add' needs a secret: secret 'absent_secret'"
    ):
        service.run(pipeline.graph)
    assert store.list_runs() == []


def test_catalog_files_flow_and_hashes_are_recorded(service: RunService, tmp_path: Path) -> None:
    def read() -> None:
        assert Path("data.csv").read_text() == "a\n1\n"

    pipeline = Pipeline(
        [
            PythonTask(generate, returns=["x", "y"], catalog=Catalog(put=["data.csv"])),
            PythonTask(read, catalog=Catalog(get=["data.csv"])),
        ]
    )
    run = service.run(pipeline.graph)
    assert run.status is Status.SUCCESS
    put = run.steps["generate"].data_catalog[0]
    got = run.steps["read"].data_catalog[0]
    assert (put.stage, got.stage) == ("put", "get")
    assert put.sha256 == got.sha256 == hashlib.sha256(b"a\n1\n").hexdigest()
    assert put.size == 4


def test_shell_task_gets_parameters_and_returns_values(service: RunService) -> None:
    pipeline = Pipeline(
        [
            PythonTask(generate, returns=["x", "y"]),
            ShellTask(
                'echo "total=$((RUNPLANE_PRM_x + RUNPLANE_PRM_y))" >> "$RUNPLANE_RETURNS"; '
                'echo "label=sum of $RUNPLANE_PRM_x" >> "$RUNPLANE_RETURNS"',
                name="sum",
                returns=["total", "label"],
            ),
        ]
    )
    run = service.run(pipeline.graph)
    assert run.steps["sum"].returns == {"total": 7, "label": "sum of 3"}


def test_shell_task_failure_reports_exit_status(service: RunService) -> None:
    run = service.run(Pipeline([ShellTask("exit 3", name="bad")]).graph)
    assert run.status is Status.FAIL
    assert "exited with status 3" in run.steps["bad"].attempts[0].message


def test_run_id_cannot_be_reused(service: RunService, store: BufferedRunLogStore) -> None:
    graph = Pipeline([Stub("a")]).graph
    service.run(graph, run_id="same")
    with pytest.raises(RunAlreadyExistsError, match="same"):
        service.run(graph, run_id="same")
    assert store.get_run("same").status is Status.SUCCESS


def test_execute_step_in_a_fresh_service_resolves_earlier_returns(
    service: RunService, store: BufferedRunLogStore, secrets: DictSecrets
) -> None:
    pipeline = Pipeline([PythonTask(generate, returns=["x", "y"]), PythonTask(add, returns=["z"])])
    service.run(pipeline.graph, run_id="r1")
    other_process = make_service(store, secrets)
    step = other_process.execute_step(pipeline.graph, "r1", "add")
    assert step.returns == {"z": 7}
    assert [a.number for a in step.attempts] == [1, 2]  # the earlier attempt is kept


def test_interrupted_run_is_recorded_as_failed(
    service: RunService, store: BufferedRunLogStore
) -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        service.run(Pipeline([Stub("done"), PythonTask(interrupt)]).graph, run_id="r1")
    run = store.get_run("r1")
    assert run.status is Status.FAIL
    assert "interrupted" in run.message
    assert run.steps["done"].status is Status.SUCCESS
    assert run.steps["interrupt"].status is Status.FAIL
    assert run.steps["interrupt"].attempts[-1].message == "interrupted: KeyboardInterrupt"


def test_each_attempt_sees_its_number_in_runplane_attempt(service: RunService) -> None:
    seen = []

    def flaky() -> None:
        seen.append(os.environ["RUNPLANE_ATTEMPT"])
        if len(seen) < 3:
            raise RuntimeError("not yet")

    shell = ShellTask('echo "n=$RUNPLANE_ATTEMPT" >> "$RUNPLANE_RETURNS"', name="sh", returns=["n"])
    run = service.run(Pipeline([PythonTask(flaky, max_attempts=3), shell]).graph)
    assert run.status is Status.SUCCESS
    assert seen == ["1", "2", "3"]
    assert run.steps["sh"].returns == {"n": 1}  # a shell task sees it too
    assert "RUNPLANE_ATTEMPT" not in os.environ  # only while the task runs


def test_runplane_attempt_counts_on_across_processes(
    service: RunService, store: BufferedRunLogStore, secrets: DictSecrets
) -> None:
    """As an Argo retry does: a new process, one attempt each, finds the earlier attempts."""

    def fails_first() -> str:
        if os.environ["RUNPLANE_ATTEMPT"] == "1":
            raise ConnectionError("not ready")
        return os.environ["RUNPLANE_ATTEMPT"]

    graph = Pipeline([PythonTask(fails_first, returns=["n"], max_attempts=2)]).graph
    service.start_run(graph, run_id="r1")
    first = make_service(store, secrets).execute_step(graph, "r1", "fails_first", attempts=1)
    second = make_service(store, secrets).execute_step(graph, "r1", "fails_first", attempts=1)
    assert first.status is Status.FAIL
    assert second.status is Status.SUCCESS
    assert second.returns == {"n": "2"}
