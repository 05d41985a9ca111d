"""Semantics runnable's users expect, the same under `local` and `local-subprocess`.

A metric is also a parameter; `RUNPLANE_PRM_*` values are initial values (recorded,
replaced by a return, kept by a retry); a failed attempt's catalog files are kept under
`failed/` and never handed on; an `argparse.Namespace` argument receives every parameter.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.integration.conftest import Cli

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


@pytest.fixture
def folder(workdir: Path) -> Path:
    (workdir / "p.py").write_text(
        PIPELINE + "\nimport os\npipeline = globals()[os.environ['WHICH']]\n"
    )
    (workdir / "params.yaml").write_text("x: 1\n")
    return workdir


@pytest.mark.parametrize("executor", EXECUTORS)
def test_metric_passes_on_env_is_an_initial_value_namespace_gets_all(
    cli: Cli, folder: Path, executor: str
) -> None:
    (folder / "c.yaml").write_text(f"executor: {{type: {executor}}}\n")
    result = cli(
        "run", "p.py", "-c", "c.yaml", "-p", "params.yaml", "--json",
        env={"WHICH": "main", "RUNPLANE_PRM_x": "5"},
    )  # fmt: skip
    assert result.code == 0, result.stderr
    log = result.json()
    assert log["initial_parameters"] == {"x": 5}  # the variable, over the file
    assert log["steps"]["train"]["parameters"] == {"x": 5}
    assert log["steps"]["train"]["metrics"] == {"score": 0.75}
    assert log["steps"]["report"]["parameters"] == {"score": 0.75, "trained": 50}
    assert log["steps"]["everything"]["returns"] == {"names": ["line", "score", "trained", "x"]}
    assert log["parameters"]["x"] == 99  # a step's return replaces the variable's value


@pytest.mark.parametrize("executor", EXECUTORS)
def test_failed_attempt_files_are_kept_apart_and_not_handed_on(
    cli: Cli, folder: Path, executor: str
) -> None:
    (folder / "c.yaml").write_text(f"executor: {{type: {executor}}}\n")
    result = cli(
        "run", "p.py", "-c", "c.yaml", "--run-id", "r1", "--json", env={"WHICH": "on_fail"}
    )  # fmt: skip
    log = result.json()
    step = log["steps"]["fails"]
    assert step["status"] == "fail"
    assert step["data_catalog"] == []
    kept = [entry["name"] for entry in step["attempts"][0]["failed_files"]]
    assert kept == ["failed/fails/attempt-1/df.csv", "failed/fails/attempt-1/out/part.txt"]
    catalog = folder / ".catalog" / "r1"
    assert (catalog / "failed/fails/attempt-1/out/part.txt").read_text() == "half\n"
    assert not (catalog / "df.csv").exists()  # never under its own name: no step gets it
    assert log["steps"]["after_failure"]["status"] == "success"


@pytest.mark.parametrize("executor", EXECUTORS)
def test_a_retry_keeps_the_environment_initial_values(
    cli: Cli, folder: Path, executor: str
) -> None:
    (folder / "c.yaml").write_text(f"executor: {{type: {executor}}}\n")
    (folder / "fail.flag").write_text("")
    first = cli(
        "run", "p.py", "-c", "c.yaml", "-p", "params.yaml", "--run-id", "first",
        env={"WHICH": "retried", "RUNPLANE_PRM_x": "5"},
    )  # fmt: skip
    assert first.code == 1, first.stderr
    (folder / "fail.flag").unlink()
    again = cli(
        "retry", "first", "-c", "c.yaml", "--run-id", "second", "--json",
        env={"WHICH": "retried"},
    )  # fmt: skip
    assert again.code == 0, again.stderr
    assert again.json()["steps"]["check"]["returns"] == {"seen": 5}
