"""Walks a rendered Argo manifest the way the workflow controller would, running real pods.

No Kubernetes or Argo controller can run here, so this stands in for one, following
Argo's workflow/controller/dag.go: `depends` with Argo's grammar (argo_depends.py), `when`
as Argo evaluates it with govaluate (argo_when.py: an expression Argo rejects makes the
node Error, as on a real controller), `withParam` (a JSON list, else Error; the task
becomes a group that failed if any child failed; an empty list makes the task Skipped),
input and output parameters, `retryStrategy.limit`, and `assessDAGPhase` for a DAG's own
phase (see `dag_phase`). Each container runs its
command in a subprocess, in a fresh folder (the "pod") holding a copy of the image's files;
volume mounts map to shared folders; `secretKeyRef` reads a dict standing in for secrets.

Not modelled (see docs/argo.md): scheduling and resources, node selectors, tolerations,
image pulls, `parallelism`, deadlines, TTL, pod errors other than a missing secret,
`retryPolicy`/backoff details, `failFast` stopping new tasks (rendered DAGs finish every
ready task before a failure decides), daemons, `continueOn` in the DAG's phase.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.integration.argo_depends import Finished, dependencies, logic
from tests.integration.argo_depends import evaluate as evaluate_depends
from tests.integration.argo_when import should_execute

REFERENCE = re.compile(r"\{\{([^{}]+)\}\}")
FAILED = ("Failed", "Error")


@dataclass
class Node:
    phase: str
    outputs: dict[str, str] = field(default_factory=dict)
    #: The phases of a task's children, when withParam expanded it (a TaskGroup node).
    children: tuple[str, ...] = ()
    expanded: bool = False
    message: str = ""

    def finished(self) -> Finished:
        return Finished(self.phase, self.children, self.expanded)


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
        #: Why nodes ended in Error without running (Argo's node messages).
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def run(self, name: str = "wf-test", arguments: Mapping[str, str] | None = None) -> str:
        """Run the workflow to the end; its phase (Succeeded, Failed or Error)."""
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
                results = list(pool.map(lambda n: self._task(tasks[n], tasks, done, scope), ready))
            done.update(zip(ready, results, strict=True))
        return Node(dag_phase(needs, done))

    def _task(
        self,
        task: Mapping[str, Any],
        tasks: Mapping[str, Mapping[str, Any]],
        done: dict[str, Node],
        scope: dict[str, str],
    ) -> Node:
        if task.get("depends") or task.get("dependencies"):
            try:
                finished = {name: done[name].finished() for name in dependencies(task)}
                if not evaluate_depends(logic(task, tasks), finished):
                    return Node("Omitted")
            except ValueError as exc:
                return self._error(task, str(exc))
        local = dict(scope)
        for name, node in done.items():
            for key, value in node.outputs.items():
                local[f"tasks.{name}.outputs.parameters.{key}"] = value
        if "withParam" not in task:
            return self._one(task, local)
        text = self._fill(task["withParam"], local)
        try:
            items = json.loads(text)
            assert isinstance(items, list)
        except (ValueError, AssertionError):
            message = f"withParam value could not be parsed as a JSON list: {text.strip()}"
            return self._error(task, message)
        if not items:  # as Argo 3's executeDAGTask: no group, a Skipped node
            return Node("Skipped", message="Skipped, empty params")
        with ThreadPoolExecutor(self.workers) as pool:
            nodes = list(
                pool.map(lambda item: self._one(task, {**local, "item": _item(item)}), items)
            )
        failed = [n.phase for n in nodes if n.phase in FAILED]
        phases = tuple(n.phase for n in nodes)
        return Node(failed[-1] if failed else "Succeeded", children=phases, expanded=True)

    def _one(self, task: Mapping[str, Any], scope: dict[str, str]) -> Node:
        if "when" in task:
            try:
                if not should_execute(self._fill(task["when"], scope)):
                    return Node("Skipped")
            except ValueError as exc:
                return self._error(task, str(exc))
        parameters = task.get("arguments", {}).get("parameters", [])
        inputs = {p["name"]: self._fill(p["value"], scope) for p in parameters}
        return self.execute(task["template"], inputs)

    def _error(self, task: Mapping[str, Any], message: str) -> Node:
        """A node the controller marks Error (a bad expression, say): recorded for the tests."""
        with self._lock:
            self.errors.append(f"{task['name']}: {message}")
        return Node("Error", message=message)

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
            return Node("Error")
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


def _item(item: Any) -> str:
    """How `{{item}}` reads: a string as itself, anything else as JSON."""
    return item if isinstance(item, str) else json.dumps(item)


def dag_phase(needs: Mapping[str, set[str]], done: Mapping[str, Node]) -> str:
    """assessDAGPhase: the phase of a DAG whose tasks all finished.

    Walks from the root tasks along dependencies carrying a branch phase: a task that ran
    (or was skipped) sets it to its own phase; an omitted task passes on what it received.
    A leaf ("target") task gets the branch phase that reached it, a failure winning over a
    success when several paths reach it. The DAG takes the first failed leaf's phase (in
    name order, as failFast stops at the first), else Succeeded. Argo's walk passes through
    the nodes inside nested DAGs and expanded groups; taking such a task's own phase instead
    gives the same answer for what runplane renders (each composite ends in its fan-in).
    """
    children = {name: sorted(n for n, deps in needs.items() if name in deps) for name in needs}
    leaves = sorted(name for name, kids in children.items() if not kids)
    queue = deque((name, "Succeeded") for name, deps in needs.items() if not deps)
    seen = set(queue)
    reached: dict[str, str] = {}
    while queue:
        name, branch = queue.popleft()
        if done[name].phase != "Omitted":
            branch = done[name].phase
        if name in leaves and reached.get(name) not in FAILED:
            reached[name] = branch
        for child in children[name]:
            if (child, branch) not in seen:
                seen.add((child, branch))
                queue.append((child, branch))
    return next((reached[n] for n in leaves if reached.get(n) in FAILED), "Succeeded")
