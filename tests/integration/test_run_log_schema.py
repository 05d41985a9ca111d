import json
from pathlib import Path

import jsonschema
import pytest

from tests.integration.conftest import REPO, Cli, strict_json

pytestmark = pytest.mark.integration

SCHEMA = json.loads((REPO / "schemas" / "run_log.schema.json").read_text())


def test_published_schema_is_itself_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(("pipeline", "code"), [("examples/seed/pipeline.py", 0), ("failing", 1)])
def test_run_logs_the_cli_prints_match_the_published_schema(
    cli: Cli, pipelines: object, pipeline: str, code: int
) -> None:
    path = str(REPO / pipeline) if pipeline.endswith(".py") else f"pipelines/{pipeline}.py"
    result = cli("run", path, "--run-id", "r1", env={"secret_key": "k"})
    assert result.code == code, result.stderr
    log = cli("runs", "show", "r1", "--json").json()
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def test_schema_rejects_a_malformed_record() -> None:
    bad = {"run_id": "../x", "status": "done", "steps": {"a": {"attempts": "none"}}}
    validator = jsonschema.Draft202012Validator(SCHEMA)
    messages = " ".join(e.message for e in validator.iter_errors(bad))
    assert "'done' is not one of" in messages
    assert "does not match" in messages


@pytest.mark.parametrize("executor", ["local", "local-subprocess"])
def test_every_json_runplane_writes_parses_strictly(
    cli: Cli, pipelines: Path, workdir: Path, executor: str
) -> None:
    (workdir / "c.yaml").write_text(f"executor: {{type: {executor}}}\n")
    result = cli("run", "pipelines/non_finite.py", "-c", "c.yaml", "--run-id", "r")
    assert result.code == 0, result.stderr
    log = cli("runs", "show", "r", "--json", "-c", "c.yaml").json()  # strict
    train = log["steps"]["train"]
    assert train["metrics"] == {"loss": None, "ratio": None, "accuracy": 0.5}
    assert train["attempts"][-1]["message"] == (
        "not finite, recorded as null: metric loss=nan, ratio=inf"
    )
    assert "$object" in train["returns"]["curve"]  # -inf travels as a pickle
    assert log["parameters"]["seen"] is True
    assert cli("runs", "list", "--json", "-c", "c.yaml").json()[0]["run_id"] == "r"
    assert cli("config", "show", "-c", "c.yaml", "--json").json()
    written = [p for p in (workdir / ".run_log_store").rglob("*") if p.is_file()]
    assert written
    for path in written:
        if path.suffix == ".jsonl":
            # A journal may end in zeros preallocated for appends; readers skip them.
            for line in path.read_text().strip("\0").splitlines():
                strict_json(line)
        elif path.suffix == ".json":
            strict_json(path.read_text())


@pytest.mark.usefixtures("pipelines")
def test_a_run_log_from_before_strict_json_still_prints_strictly(cli: Cli, workdir: Path) -> None:
    assert cli("run", "pipelines/non_finite.py", "--run-id", "old").code == 0
    journal = workdir / ".run_log_store" / "old" / "steps.jsonl"
    # What an older runplane wrote for a NaN metric, and what Python's json still reads.
    journal.write_text(journal.read_text().replace('"loss": null', '"loss": NaN'))
    assert cli("runs", "show", "old", "--json").json()["steps"]["train"]["metrics"]["loss"] is None
    assert cli("runs", "show", "old", "--step", "train", "--json").json()["metrics"]["loss"] is None
