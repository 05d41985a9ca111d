"""Semantics runnable's users expect, the same under `local` and `local-subprocess`.

A metric is also a parameter; `RUNPLANE_PRM_*` values are initial values (recorded,
replaced by a return, kept by a retry); a failed attempt's catalog files are kept under
`failed/` and never handed on; an `argparse.Namespace` argument receives every parameter.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

import runplane
from runplane.app.service import RunService
from runplane.domain.run_log import RunLog

EXECUTORS = ["local", "local-subprocess"]

PIPELINE = textwrap.dedent(
    """
    import argparse
    from pathlib import Path

    from runplane import Catalog, Pipeline, PythonTask, ShellTask, metric


    def train(x):
        return x * 10, 0.75


    def report(score, trained):
        assert score == 0.75, score
        return f"{trained}:{score}"


    def everything(args: argparse.Namespace):
        return sorted(vars(args))


    def after_failure():
        return Path("df.csv").exists()


    def check(x):
        if Path("fail.flag").exists():
            raise RuntimeError("flag set")
        return x


    main = Pipeline(
        [
            PythonTask(train, returns=["trained", metric("score")]),
            PythonTask(report, returns=["line"]),
            PythonTask(everything, returns=["names"]),
            PythonTask(lambda: 99, name="replace", returns=["x"]),
        ]
    )
    handler = PythonTask(after_failure, returns=["leftover"])
    on_fail = Pipeline(
        [
            ShellTask(
                "touch df.csv && mkdir -p out && echo half > out/part.txt && exit 1",
                name="fails",
                catalog=Catalog(put=["df.csv", "out", "never-written.txt"]),
                on_failure=handler,
            )
        ]
    )
    retried = Pipeline([PythonTask(check, returns=["seen"])])
    """
)


@pytest.fixture(params=EXECUTORS)
def service(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> RunService:
    """The application in a scratch folder holding the pipeline file, for one executor."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("RUNPLANE_")]:
        monkeypatch.delenv(key)
    (tmp_path / "p.py").write_text(
        PIPELINE + "\nimport os\npipeline = globals()[os.environ['WHICH']]\n"
    )
    (tmp_path / "params.yaml").write_text("x: 1\n")
    (tmp_path / "c.yaml").write_text(f"executor: {{type: {request.param}}}\n")
    return runplane.service("c.yaml")


def run(app: RunService, which: str, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> RunLog:
    monkeypatch.setenv("WHICH", which)
    return app.run(app.load_pipeline("p.py"), pipeline_file="p.py", **kwargs)


def test_metric_passes_on_env_is_an_initial_value_namespace_gets_all(
    service: RunService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNPLANE_PRM_x", "5")
    log = run(service, "main", monkeypatch, parameters_file="params.yaml").to_dict()
    assert log["status"] == "success"
    assert log["initial_parameters"] == {"x": 5}  # the variable, over the file
    assert log["steps"]["train"]["parameters"] == {"x": 5}
    assert log["steps"]["train"]["metrics"] == {"score": 0.75}
    assert log["steps"]["report"]["parameters"] == {"score": 0.75, "trained": 50}
    assert log["steps"]["everything"]["returns"] == {"names": ["line", "score", "trained", "x"]}
    assert log["parameters"]["x"] == 99  # a step's return replaces the variable's value


def test_failed_attempt_files_are_kept_apart_and_not_handed_on(
    service: RunService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = run(service, "on_fail", monkeypatch, run_id="r1").to_dict()
    step = log["steps"]["fails"]
    assert step["status"] == "fail"
    assert step["data_catalog"] == []
    kept = [entry["name"] for entry in step["attempts"][0]["failed_files"]]
    assert kept == ["failed/fails/attempt-1/df.csv", "failed/fails/attempt-1/out/part.txt"]
    catalog = tmp_path / ".catalog" / "r1"
    assert (catalog / "failed/fails/attempt-1/out/part.txt").read_text() == "half\n"
    assert not (catalog / "df.csv").exists()  # never under its own name: no step gets it
    assert log["steps"]["after_failure"]["status"] == "success"


def test_a_retry_keeps_the_environment_initial_values(
    service: RunService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "fail.flag").write_text("")
    monkeypatch.setenv("RUNPLANE_PRM_x", "5")
    first = run(service, "retried", monkeypatch, parameters_file="params.yaml", run_id="first")
    assert first.status.value == "fail"
    (tmp_path / "fail.flag").unlink()
    monkeypatch.delenv("RUNPLANE_PRM_x")
    again = service.retry("first", new_run_id="second")
    assert again.status.value == "success"
    assert again.steps["check"].returns == {"seen": 5}
