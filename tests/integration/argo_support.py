"""Helpers of the Argo tests: the official schema, structural checks, rendering in-process."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from runplane.sdk import service
from tests.integration.argo_depends import dependencies
from tests.integration.argo_interpreter import REFERENCE
from tests.integration.conftest import REPO

SCHEMA = REPO / ".." / "shared" / "schemas" / "argo-workflow-schema.json"
ARGO_PIPELINES = Path(__file__).parent / "pipelines" / "argo"
ARGO_CONFIG = REPO / "config" / "argo.yaml"
DNS = re.compile(r"^[a-z][a-z0-9-]{0,62}$")

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (the dev extra) is needed")
pytest.importorskip("hera", reason="hera (pip install 'runplane[argo]') renders manifests")


@functools.cache
def validator(kind: str) -> Any:
    """A validator of one manifest kind, built once per session (the slow part)."""
    if not SCHEMA.is_file():
        pytest.skip(f"the Argo JSON schema is not at {SCHEMA.resolve()}")
    definitions = json.loads(SCHEMA.read_text())["definitions"]
    # Against the root `oneOf`, every error is reported at the root; one kind is precise.
    schema = {
        "$ref": f"#/definitions/io.argoproj.workflow.v1alpha1.{kind}",
        "definitions": definitions,
    }
    return jsonschema.Draft202012Validator(schema)


def schema_errors(manifest: Mapping[str, Any]) -> list[str]:
    """Every schema violation, as 'path: message'."""
    errors = validator(manifest["kind"]).iter_errors(manifest)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def spec_of(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    spec: Mapping[str, Any] = manifest["spec"]
    return spec["workflowSpec"] if manifest["kind"] == "CronWorkflow" else spec


def structure_errors(manifest: Mapping[str, Any]) -> list[str]:
    """What the schema cannot see: references, uniqueness, names, declared inputs."""
    spec = spec_of(manifest)
    templates = {t["name"]: t for t in spec["templates"]}
    problems = [
        f"duplicate template {n}" for n in _duplicates(t["name"] for t in spec["templates"])
    ]
    problems += [f"template name {n!r} is not DNS-style" for n in templates if not DNS.match(n)]
    if spec["entrypoint"] not in templates:
        problems.append(f"entrypoint {spec['entrypoint']} is no template")
    for template in templates.values():
        problems += _undeclared_inputs(template)
        tasks = template.get("dag", {}).get("tasks", [])
        names = [task["name"] for task in tasks]
        problems += [f"{template['name']}: duplicate task {n}" for n in _duplicates(names)]
        for task in tasks:
            where = f"{template['name']}.{task['name']}"
            if not DNS.match(task["name"]):
                problems.append(f"{where}: task name is not DNS-style")
            if task["template"] not in templates:
                problems.append(f"{where}: dangling template {task['template']}")
                continue
            problems += [
                f"{where}: depends on unknown {d}" for d in dependencies(task) - set(names)
            ]
            given = {p["name"] for p in task.get("arguments", {}).get("parameters", [])}
            wanted = {
                p["name"]
                for p in templates[task["template"]].get("inputs", {}).get("parameters", [])
            }
            if given != wanted:
                problems.append(f"{where}: passes {sorted(given)}, template wants {sorted(wanted)}")
    unused = set(templates) - set(_reachable(spec["entrypoint"], templates))
    problems += [f"template {n} is never used" for n in sorted(unused)]
    return problems


def _undeclared_inputs(template: Mapping[str, Any]) -> list[str]:
    declared = {p["name"] for p in template.get("inputs", {}).get("parameters", [])}
    text = json.dumps(template)
    used = {
        ref.split(".")[-1]
        for ref in REFERENCE.findall(text)
        if ref.startswith("inputs.parameters.")
    }
    return [f"{template['name']}: uses undeclared input {name}" for name in sorted(used - declared)]


def _reachable(entry: str, templates: Mapping[str, Mapping[str, Any]]) -> Iterator[str]:
    stack, seen = [entry], set()
    while stack:
        name = stack.pop()
        if name in seen or name not in templates:
            continue
        seen.add(name)
        yield name
        stack += [task["template"] for task in templates[name].get("dag", {}).get("tasks", [])]


def _duplicates(names: Any) -> list[str]:
    names = list(names)
    return sorted({n for n in names if names.count(n) > 1})


def render(
    pipeline: str,
    config: Path = ARGO_CONFIG,
    parameters: Path | None = ARGO_PIPELINES / "params.yaml",
    **options: Any,
) -> dict[str, Any]:
    """Render a pipeline of tests/integration/pipelines/argo, referred to by file name."""
    app = service(str(config))
    graph = app.load_pipeline(str(ARGO_PIPELINES / pipeline))
    return app.render(
        graph,
        pipeline_file=pipeline,
        parameters_file=str(parameters) if parameters else None,
        **options,
    )


def templates_of(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in spec_of(manifest)["templates"]}
