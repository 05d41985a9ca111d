"""Every `when`, `depends` and `withParam` the renderer emits survives Argo's evaluators.

For each rendered manifest (the test pipelines and every example), each `when` is filled
with every value its pods can write and evaluated as Argo's controller does (argo_when.py);
each `depends` is evaluated over the phases its tasks can end in (argo_depends.py); each
`withParam` reads an output the fan-out writes as a JSON list. A property test renders
conditionals over random branch keys: whatever the keys, exactly the chosen branch runs.
"""

import itertools
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runplane import Conditional, Pipeline, Stub
from runplane.adapters.executors.argo import ArgoExecutor, ArgoExecutorConfig
from runplane.ports.executor import RenderRequest
from runplane.sdk import service
from tests.integration.argo_depends import Finished, dependencies, logic
from tests.integration.argo_depends import evaluate as depends
from tests.integration.argo_support import ARGO_CONFIG, ARGO_PIPELINES, spec_of, structure_errors
from tests.integration.argo_when import should_execute
from tests.integration.conftest import REPO
from tests.integration.test_argo_render import OVERRIDES

pytestmark = pytest.mark.integration

OUTPUT = re.compile(r"\{\{tasks\.([a-z0-9-]+)\.outputs\.parameters\.([a-z]+)\}\}")
CHOSEN = "{{tasks.fan-out.outputs.parameters.chosen}}"
PHASES = ("Succeeded", "Failed", "Error", "Skipped", "Omitted")
EXAMPLES = sorted(
    p for d in (REPO / "examples").iterdir() for p in d.glob("pipeline.*") if p.suffix != ".ipynb"
)
LONG = os.environ.get("RUNPLANE_LONG_TESTS") == "1"


def rendered(pipeline: Path, tmp: Path) -> dict[str, Any]:
    config = ARGO_CONFIG
    if pipeline.name == "overrides.py":  # it names the overrides test_argo_render defines
        config = tmp / "argo.yaml"
        config.write_text(OVERRIDES)
    app = service(str(config))
    return app.render(app.load_pipeline(str(pipeline)), pipeline_file=pipeline.name)


def manifests() -> list[Any]:
    files = [ARGO_PIPELINES / p for p in sorted(os.listdir(ARGO_PIPELINES)) if p.endswith(".py")]
    return [pytest.param(f, id=f"{f.parent.name}/{f.name}") for f in [*files, *EXAMPLES]]


def outcomes(when: str, branches: int) -> list[tuple[str, bool]]:
    """`when` filled with each value its output can hold, and whether the task should run."""
    (task, output), *_ = OUTPUT.findall(when)
    if output == "more":
        values = ["true", "false"]
    else:
        assert output == "chosen", f"when {when!r} compares output {output!r}"
        values = [str(i) for i in range(-1, branches)]
    reference = f"{{{{tasks.{task}.outputs.parameters.{output}}}}}"
    expected = when.replace(reference, "")
    return [
        (when.replace(reference, value), value == expected.split("==")[-1].strip())
        for value in values
    ]


@pytest.mark.parametrize("pipeline", manifests())
def test_every_when_depends_and_with_param_survives_argos_evaluators(
    pipeline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(pipeline.parent)  # examples find their notebooks from where they are
    spec = spec_of(rendered(pipeline, tmp_path))
    templates = {t["name"]: t for t in spec["templates"]}
    for template in templates.values():
        tasks = {t["name"]: t for t in template.get("dag", {}).get("tasks", [])}
        conditional = [t for t in tasks.values() if "when" in t and "chosen" in t["when"]]
        for task in tasks.values():
            if "when" in task:
                for when, runs in outcomes(task["when"], len(conditional)):
                    assert should_execute(when) is runs, when
            for phases in _phase_choices(sorted(dependencies(task))) if "depends" in task else ():
                depends(logic(task, tasks), phases)  # raises if Argo could not evaluate it
            if "withParam" in task:
                (source, output), *_ = OUTPUT.findall(task["withParam"])
                assert task["withParam"] == f"{{{{tasks.{source}.outputs.parameters.{output}}}}}"
                writer = templates[tasks[source]["template"]]
                assert output in ("branches", "batches")
                assert [p["name"] for p in writer["outputs"]["parameters"]] == [output]


def _phase_choices(names: list[str]) -> list[dict[str, Finished]]:
    """Each dependency in each phase with the others succeeded, and all in the same phase."""
    choices = [{n: Finished(phase) for n in names} for phase in PHASES]
    for name, phase in itertools.product(names, PHASES):
        choices.append({n: Finished(phase if n == name else "Succeeded") for n in names})
    return choices


#: Branch keys runplane accepts: letters, digits, '_', '-' and spaces, not starting with
#: '-' or a space (check_node_name); digits first and hyphens are what broke before.
KEYS = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_ \-]{0,12}", fullmatch=True)


@settings(max_examples=300 if LONG else 40, deadline=None)
@given(keys=st.lists(KEYS, min_size=1, max_size=6, unique=True))
def test_whatever_the_branch_keys_exactly_the_chosen_branch_runs(keys: list[str]) -> None:
    graph = Pipeline(
        [Conditional("pick", parameter="k", branches={k: Pipeline([Stub("s")]) for k in keys})]
    ).graph
    request = RenderRequest(graph=graph, pipeline_file="p.py", configuration={})
    manifest = ArgoExecutor(ArgoExecutorConfig(image="i")).render(request)
    assert structure_errors(manifest) == []
    templates = {t["name"]: t for t in spec_of(manifest)["templates"]}
    tasks = [t for t in templates["pick"]["dag"]["tasks"] if "when" in t]
    assert len(tasks) == len(keys)
    for position, key in enumerate(keys):
        running = [t for t in tasks if should_execute(t["when"].replace(CHOSEN, str(position)))]
        assert len(running) == 1
        prefix = running[0]["arguments"]["parameters"][0]["value"]
        assert prefix == f"{{{{inputs.parameters.step}}}}.{key}"
