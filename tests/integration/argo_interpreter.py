"""Walks a rendered Argo manifest the way the workflow controller would, running real pods.

No Kubernetes or Argo controller can run here, so this stands in for one: DAG `depends`
(Succeeded/Failed/Errored/Skipped/Omitted), `withParam` fan-out, `when`, input and output
parameters, `retryStrategy.limit`, and Argo's rule for a DAG's own phase (its leaf tasks;
an omitted task inherits its parents' phase, failures first). Each container runs its
command in a subprocess, in a fresh folder (the "pod") holding a copy of the image's files;
volume mounts map to shared folders; `secretKeyRef` reads a dict standing in for secrets.

Not modelled (see docs/argo.md): scheduling and resources, node selectors, tolerations,
image pulls, `parallelism`, deadlines, TTL, pod errors other than a missing secret,
`retryPolicy`/backoff details, expression functions in `when` beyond `'a' == 'b'`.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULT = re.compile(r"([A-Za-z0-9-]+)\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned)")
REFERENCE = re.compile(r"\{\{([^{}]+)\}\}")
BOOLEAN = re.compile(r"(\s|True|False|and|or|\(|\))*")
WHEN = re.compile(r"^'(.*)' == '(.*)'$")
FAILED = ("Failed", "Errored")


@dataclass
class Node:
    phase: str
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class Pod:
    template: str
    args: list[str]
    code: int
    output: str


class Interpreter:
    """One workflow: `run()` walks it from the entrypoint; `pods` lists what ran."""

    def __init__(
        self,
        manifest: Mapping[str, Any],
        *,
        image: Path,
        volumes: Mapping[str, Path],
        scratch: Path,
        runplane: str,
        secrets: Mapping[str, Mapping[str, str]] | None = None,
        image_env: Mapping[str, str] | None = None,
        workers: int = 4,
    ) -> None:
        spec = manifest["spec"]
        if manifest["kind"] == "CronWorkflow":
            spec = spec["workflowSpec"]
        self.spec = spec
        self.templates = {t["name"]: t for t in spec["templates"]}
        self.claims = {
            v["name"]: v["persistentVolumeClaim"]["claimName"] for v in spec.get("volumes", [])
        }
        self.image, self.volumes, self.scratch = image, volumes, scratch
        self.runplane, self.secrets = runplane, secrets or {}
        self.image_env = dict(image_env or {})
        self.workers = workers
        self.pods: list[Pod] = []
        self._ids = itertools.count(1)
        self.workflow: dict[str, str] = {}

    def run(self, name: str = "wf-test", arguments: Mapping[str, str] | None = None) -> str:
        """Run the workflow to the end; its phase (Succeeded, Failed or Errored)."""
        self.workflow = {"workflow.name": name}
        for parameter in self.spec["arguments"]["parameters"]:
            value = (arguments or {}).get(parameter["name"], parameter.get("value", ""))
            self.workflow[f"workflow.parameters.{parameter['name']}"] = self._fill(value, {})
        return self.execute(self.spec["entrypoint"], {}).phase

    def execute(self, name: str, inputs: Mapping[str, str]) -> Node:
        assert name in self.templates, f"dangling template reference {name!r}"
        template = self.templates[name]
        declared = {p["name"] for p in template.get("inputs", {}).get("parameters", [])}
        assert declared == set(inputs), (
            f"{name}: inputs {sorted(inputs)} != declared {sorted(declared)}"
        )
        scope = {f"inputs.parameters.{key}": value for key, value in inputs.items()}
        if "dag" in template:
            return self._dag(template, scope)
        limit = int(template.get("retryStrategy", {}).get("limit", 0))
        for _ in range(limit + 1):
            node = self._container(template, scope)
            if node.phase == "Succeeded":
                break
        return node

    # -- DAGs ------------------------------------------------------------------------

    def _dag(self, template: Mapping[str, Any], scope: dict[str, str]) -> Node:
        tasks = {task["name"]: task for task in template["dag"]["tasks"]}
        assert len(tasks) == len(template["dag"]["tasks"]), f"{template['name']}: duplicate tasks"
        needs = {name: dependencies(task) for name, task in tasks.items()}
        for name, deps in needs.items():
            assert deps <= set(tasks), (
                f"{template['name']}.{name} depends on unknown {deps - set(tasks)}"
            )
        done: dict[str, Node] = {}
        while len(done) < len(tasks):
            ready = [n for n in tasks if n not in done and needs[n] <= set(done)]
            assert ready, f"{template['name']}: dependency cycle among {set(tasks) - set(done)}"
            with ThreadPoolExecutor(self.workers) as pool:
                results = list(pool.map(lambda n: self._task(tasks[n], done, scope), ready))
            done.update(zip(ready, results, strict=True))
        return Node(self._dag_phase(needs, done))

    def _task(self, task: Mapping[str, Any], done: dict[str, Node], scope: dict[str, str]) -> Node:
        if "depends" in task and not evaluate(task["depends"], done):
            return Node("Omitted")
        local = dict(scope)
        for name, node in done.items():
            for key, value in node.outputs.items():
                local[f"tasks.{name}.outputs.parameters.{key}"] = value
        if "withParam" not in task:
            return self._one(task, local)
        items = json.loads(self._fill(task["withParam"], local))
        with ThreadPoolExecutor(self.workers) as pool:
            nodes = list(
                pool.map(lambda item: self._one(task, {**local, "item": str(item)}), items)
            )
        failed = [n.phase for n in nodes if n.phase in FAILED]
        return Node(failed[0] if failed else "Succeeded")

    def _one(self, task: Mapping[str, Any], scope: dict[str, str]) -> Node:
        if "when" in task:
            matched = WHEN.match(self._fill(task["when"], scope))
            assert matched, f"when {task['when']!r} is not of the form 'a' == 'b'"
            if matched.group(1) != matched.group(2):
                return Node("Skipped")
        parameters = task.get("arguments", {}).get("parameters", [])
        inputs = {p["name"]: self._fill(p["value"], scope) for p in parameters}
        return self.execute(task["template"], inputs)

    @staticmethod
    def _dag_phase(needs: Mapping[str, set[str]], done: Mapping[str, Node]) -> str:
        """Argo's rule: the leaves decide; an omitted task takes its parents' phase."""

        def phase(name: str) -> str:
            own = done[name].phase
            if own != "Omitted":
                return own
            inherited = [phase(parent) for parent in needs[name]]
            return next((p for p in inherited if p in FAILED), "Succeeded")

        leaves = [n for n in needs if not any(n in deps for deps in needs.values())]
        failed = [phase(n) for n in leaves if phase(n) in FAILED]
        return failed[0] if failed else "Succeeded"

    # -- pods ------------------------------------------------------------------------

    def _container(self, template: Mapping[str, Any], scope: dict[str, str]) -> Node:
        container = template["container"]
        root = self.scratch / f"pod-{next(self._ids)}"
        work = root / "work"
        shutil.copytree(self.image, work)
        mounts = {
            m["mountPath"]: self.volumes[self.claims[m["name"]]]
            for m in container.get("volumeMounts", [])
        }
        env = self._env(container.get("env", []), mounts)
        if env is None:  # a missing secret: the pod never starts
            return Node("Errored")
        args = [self._path(self._fill(a, scope), root, mounts) for a in container.get("args", [])]
        command = [self.runplane if c == "runplane" else c for c in container["command"]]
        done = subprocess.run(
            [*command, *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.pods.append(Pod(template["name"], args, done.returncode, done.stdout + done.stderr))
        outputs = {}
        for parameter in template.get("outputs", {}).get("parameters", []):
            path = Path(self._path(parameter["valueFrom"]["path"], root, mounts))
            outputs[parameter["name"]] = path.read_text() if path.is_file() else ""
        return Node("Succeeded" if done.returncode == 0 else "Failed", outputs)

    def _env(
        self, entries: list[dict[str, Any]], mounts: Mapping[str, Path]
    ) -> dict[str, str] | None:
        env = {"PATH": os.environ["PATH"], "HOME": str(self.scratch), **self.image_env}
        for entry in entries:
            if "valueFrom" in entry:
                ref = entry["valueFrom"]["secretKeyRef"]
                value = self.secrets.get(ref["name"], {}).get(ref["key"])
                if value is None:
                    return None
            else:
                value = entry["value"]
                for mount, host in mounts.items():
                    value = value.replace(f'"{mount}/', f'"{host}/').replace(
                        f'"{mount}"', f'"{host}"'
                    )
            env[entry["name"]] = value
        return env

    @staticmethod
    def _path(value: str, root: Path, mounts: Mapping[str, Path]) -> str:
        """A path inside the pod, as seen from here: on a volume, or in the pod's folder."""
        if not value.startswith("/"):
            return value
        for mount, host in mounts.items():
            if value == mount or value.startswith(mount + "/"):
                return str(host) + value[len(mount) :]
        return str(root) + value

    def _fill(self, text: str, scope: Mapping[str, str]) -> str:
        values = {**self.workflow, **scope}

        def one(match: re.Match[str]) -> str:
            key = match.group(1).strip()
            assert key in values, f"unresolved reference {{{{{key}}}}} in {text!r}"
            return values[key]

        return REFERENCE.sub(one, text)


def dependencies(task: Mapping[str, Any]) -> set[str]:
    """The tasks a DAG task's `depends` names."""
    return {name for name, _ in RESULT.findall(task.get("depends", ""))}


def evaluate(expression: str, done: Mapping[str, Node]) -> bool:
    """A `depends` expression over finished tasks (only the `task.Result` form we render)."""
    replaced = RESULT.sub(lambda m: str(done[m.group(1)].phase == m.group(2)), expression)
    python = replaced.replace("&&", " and ").replace("||", " or ")
    assert BOOLEAN.fullmatch(python), f"depends {expression!r} uses forms this interpreter lacks"
    return bool(eval(python, {"__builtins__": {}}))
