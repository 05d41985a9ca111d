import json

import jsonschema
import pytest

from tests.integration.conftest import REPO, Cli

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
