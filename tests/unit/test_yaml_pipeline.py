import json
from importlib.metadata import EntryPoint
from pathlib import Path

import jsonschema
import pytest
import yaml

from runplane.domain.errors import PipelineDefinitionError
from runplane.sdk import yaml_pipeline
from runplane.sdk.loader import load_graph
from runplane.sdk.yaml_models import schema_text
from runplane.sdk.yaml_pipeline import load_yaml_pipeline

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent / "yaml_pipelines"
MAP_EXAMPLE = REPO / "examples" / "map_yaml"
SCHEMA_FILE = REPO / "schemas" / "pipeline.schema.json"


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(HERE)  # notebook paths are relative to the working directory
    return HERE


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pipeline.yaml"
    path.write_text(text)
    return str(path)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(PipelineDefinitionError) as raised:
        load_graph(write(tmp_path, text))
    return str(raised.value)


# -- the same graph as the SDK ---------------------------------------------------------


def test_map_example_yaml_and_python_give_the_same_graph() -> None:
    from_yaml = load_graph(str(MAP_EXAMPLE / "pipeline.yaml")).to_dict()
    assert from_yaml == load_graph(str(MAP_EXAMPLE / "pipeline.py")).to_dict()
    assert from_yaml["steps"]["per_file"]["reducer"] == "sum"


def test_every_node_type_and_option_gives_the_same_graph(in_fixtures: Path) -> None:
    from_yaml = load_graph(str(in_fixtures / "everything.yaml")).to_dict()
    assert from_yaml == load_graph(str(in_fixtures / "everything.py")).to_dict()
    steps = from_yaml["steps"]
    assert steps["prepare"]["on_failure"] == "tell"
    assert steps["squares"]["reducer"] == "yaml_steps.total"
    assert steps["both"]["branches"]["b"]["steps"]["nb"]["command_type"] == "notebook"
    assert steps["pick"]["branches"]["fast"]["name"] == "fast-branch"


def test_the_built_pipeline_remembers_its_yaml_file(in_fixtures: Path) -> None:
    pipeline = load_yaml_pipeline(str(in_fixtures / "everything.yaml"))
    assert pipeline.source_file == str(in_fixtures / "everything.yaml")


# -- errors name the file and the YAML path -------------------------------------------

MAP_WITH_TYPO = """\
steps:
  - {type: python, command: yaml_steps.prepare, returns: [items]}
  - type: map
    name: squares
    iterate_on: items
    iterate_as: item
    branch:
      steps:
        - {type: python, comand: yaml_steps.square}
"""


def test_an_unknown_key_names_its_yaml_path_the_step_and_the_valid_keys(tmp_path: Path) -> None:
    message = error_of(tmp_path, MAP_WITH_TYPO)
    assert f"pipeline file '{tmp_path / 'pipeline.yaml'}' is not a valid pipeline" in message
    assert (
        "steps[1].branch.steps[0].comand: unknown key 'comand' in a step of type python; "
        "valid keys: catalog, command, max_attempts, name, on_failure, returns, secrets, type"
    ) in message
    assert "steps[1].branch.steps[0].command: required key missing" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steps: [{name: x}]", "steps[0]: a step needs a `type`: one of python, shell, notebook"),
        ("steps: [{type: pyton, name: x}]", "steps[0]: unknown step type 'pyton'; types: python"),
        ("steps: []", "steps: List should have at least 1 item"),
        ("- a\n- b\n", "(top level): Input should be a valid dictionary"),
        (
            "steps: [{type: shell, name: s, command: x, max_attempts: 0}]",
            "steps[0].max_attempts: Input should be greater than or equal to 1 in step 's'",
        ),
        (
            "steps: [{type: shell, name: s, command: x, returns: [{name: r, kind: gauge}]}]",
            "steps[0].returns[0].kind: Input should be 'json' or 'metric' in step 's'",
        ),
        (
            "steps: [{type: shell, name: s, command: x, catalog: {got: [a]}}]",
            "steps[0].catalog.got: unknown key 'got' in step 's' (type shell); "
            "valid keys: get, put",
        ),
        (
            "nam: x\nsteps: [{type: stub, name: s}]",
            "nam: unknown key 'nam'; valid keys: name, steps",
        ),
    ],
)
def test_invalid_documents_are_reported_by_path(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_of(tmp_path, text)


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "steps:\n  - type: stub\n    name: [unclosed\n")
    assert f"pipeline file '{tmp_path / 'pipeline.yaml'}' is not valid YAML at line 4" in message


def test_an_unknown_module_names_the_step_the_command_and_the_module(tmp_path: Path) -> None:
    message = error_of(tmp_path, "steps: [{type: python, name: g, command: nowhere_xyz.generate}]")
    assert (
        "steps[0] (step 'g'): command 'nowhere_xyz.generate': module 'nowhere_xyz' not found"
        in (message)
    )
    assert str(tmp_path) in message  # where it looked


def test_an_unknown_function_lists_the_modules_functions(tmp_path: Path) -> None:
    (tmp_path / "helpers_abc.py").write_text(
        "def generate():\n    pass\n\ndef _hidden():\n    pass\n"
    )
    text = "steps: [{type: stub, name: a}, {type: python, command: helpers_abc.genrate}]"
    message = error_of(tmp_path, text)
    assert (
        "steps[1] (step 'helpers_abc.genrate'): command 'helpers_abc.genrate': module "
        "'helpers_abc' has no function 'genrate'; it has: generate"
    ) in message


def test_a_command_without_a_module_is_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, "steps: [{type: python, name: g, command: generate}]")
    assert "steps[0] (step 'g'): 'generate' is not of the form module.function" in message


def test_sdk_errors_are_located_in_the_yaml(tmp_path: Path) -> None:
    text = """\
steps:
  - type: parallel
    name: p
    branches:
      a: {steps: [{type: stub, name: x}, {type: stub, name: x}]}
  - type: map
    name: m
    iterate_on: xs
    iterate_as: x
    reducer: median
    branch: {steps: [{type: stub, name: y}]}
"""
    message = error_of(tmp_path, text)
    assert "steps[0].branches.a: duplicate step name 'x'" in message


def test_an_unknown_reducer_name_lists_the_valid_ones(tmp_path: Path) -> None:
    text = "steps:\n  - {type: map, name: m, iterate_on: xs, iterate_as: x, reducer: median,\n"
    text += "     branch: {steps: [{type: stub, name: y}]}}\n"
    message = error_of(tmp_path, text)
    assert "steps[0]: map 'm': unknown reducer 'median'" in message
    assert "list, sum, max, min, first, last, mean" in message


def test_a_missing_notebook_is_reported_before_anything_runs(tmp_path: Path) -> None:
    message = error_of(tmp_path, "steps: [{type: notebook, name: nb, command: gone.ipynb}]")
    assert "steps[0]: step 'nb': notebook 'gone.ipynb' not found" in message


# -- the published schema --------------------------------------------------------------


def test_the_committed_schema_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text() == schema_text(), (
        "regenerate: python -m runplane.sdk.yaml_models > schemas/pipeline.schema.json"
    )


@pytest.mark.parametrize(
    "pipeline", [MAP_EXAMPLE / "pipeline.yaml", HERE / "everything.yaml"], ids=lambda p: p.name
)
def test_the_schema_accepts_the_example_pipelines(pipeline: Path) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(pipeline.read_text()))


def test_the_schema_rejects_a_misspelt_key() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    bad = {"steps": [{"type": "python", "comand": "m.f"}]}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


# -- other formats, found by entry point -------------------------------------------------


RUNNABLE_DAG = """\
dag:
  start_at: s
  steps:
    s: {type: stub, next: success}
    success: {type: success}
    fail: {type: fail}
"""


def test_runnables_dag_format_is_found_through_its_entry_point(tmp_path: Path) -> None:
    assert load_graph(write(tmp_path, RUNNABLE_DAG)).step_names() == ["s"]


def test_a_format_whose_loader_fails_to_import_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = EntryPoint("weird", "no_such_module_here:load", yaml_pipeline.FORMATS)
    monkeypatch.setattr(yaml_pipeline, "entry_points", lambda group: [broken])
    message = error_of(tmp_path, "weird: {}\n")
    assert message.startswith("pipeline file ")
    assert "`weird:` format (no_such_module_here:load) failed to import" in message


def test_an_unknown_top_level_key_naming_no_format_is_a_validation_error(tmp_path: Path) -> None:
    assert "stepz" in error_of(tmp_path, "stepz: []\n")
