"""Graphs as DAG templates: steps are DAG tasks, composites nested DAGs of fan-out/branches/fan-in.

A step runs when the step before it succeeded (`depends: prev.Succeeded`); an `on_failure`
handler when it failed (`prev.Failed || prev.Errored`).

Argo evaluates `when` with govaluate after substituting outputs, and govaluate ends a quoted
string at either quote character: comparing rendered JSON (`'["a"]' == '["a"]'`) fails on a
real controller. So every `when` compares bare tokens that need no quoting: a conditional
branch's position (`{{...chosen}} == 2`) and a loop's `{{...more}} == true`; a map's
`withParam` is a JSON list of its keys (or of batch numbers), parsed as JSON, never lexed.

Terminal nodes are not rendered: reaching them is what ends a branch, and `finish-run` /
`fan-in` read the outcome from the run log. A composite step's template ends in its fan-in
container, its only leaf, so the template succeeds exactly when the fan-in recorded success.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from hera.workflows import models as m

from runplane.adapters.executors.argo.config import ArgoExecutorConfig, ContainerSettings
from runplane.adapters.executors.argo.containers import (
    BATCHES,
    BRANCHES,
    CHOSEN,
    STEP,
    Containers,
)
from runplane.adapters.executors.argo.naming import Namer
from runplane.domain.errors import ConfigurationError
from runplane.domain.graph import ConditionalSpec, Graph, LoopSpec, MapSpec, Node, join

PREFIX = "{{inputs.parameters.prefix}}"
KEYS = "{{tasks.fan-out.outputs.parameters.branches}}"
BATCH_NUMBERS = "{{tasks.fan-out.outputs.parameters.batches}}"
CHOSEN_POSITION = "{{tasks.fan-out.outputs.parameters.chosen}}"
#: A task whose branches ran (or were skipped: a conditional's other branches, an empty map).
_ENDED = "({0}.Succeeded || {0}.Skipped || {0}.Omitted || {0}.Failed || {0}.Errored)"


class DagBuilder:
    """Adds one template per step and per (sub)graph to `templates`; names stay unique."""

    def __init__(self, config: ArgoExecutorConfig, containers: Containers, names: Namer) -> None:
        self._config = config
        self._containers = containers
        self._names = names
        self.templates: list[m.Template] = []

    def graph(self, graph: Graph, shape: str, *, wanted: str | None = None) -> str:
        """The DAG template of a graph; the root (`shape` '') has no `prefix` input."""
        name = self._names.claim(wanted or shape)
        tasks: list[m.DAGTask] = []
        nodes = reachable(graph)
        task_names = Namer()
        named = {node.name: task_names.claim(node.name) for node in nodes}
        incoming = _incoming(nodes, named)
        for node in nodes:
            step = f"{PREFIX}.{node.name}" if shape else node.name
            tasks.append(
                m.DAGTask(
                    name=named[node.name],
                    template=self._node(node, join(shape, node.name)),
                    depends=" || ".join(incoming.get(node.name, ())) or None,
                    arguments=_arguments("step", step),
                )
            )
        inputs = m.Inputs(parameters=[m.Parameter(name="prefix")]) if shape else None
        self.templates.append(m.Template(name=name, inputs=inputs, dag=m.DAGTemplate(tasks=tasks)))
        return name

    def _node(self, node: Node, shape: str) -> str:
        if node.is_composite:
            return self._composite(node, shape)
        task = node.task
        override = task.overrides.get("argo") if task else None
        template = self._containers.step(
            self._names.claim(shape),
            max_attempts=task.max_attempts if task else 1,
            settings=self._config.settings_for(override, shape),
        )
        self.templates.append(template)
        return str(template.name)

    def _composite(self, node: Node, shape: str) -> str:
        name = self._names.claim(shape)
        fan_out_name = self._names.claim(f"{shape}-fan-out")
        fan_in = self._containers.fan_in(self._names.claim(f"{shape}-fan-in"))
        spec = node.composite
        batch_size = self._map_settings(spec, shape).iterations_per_pod or 1
        if isinstance(spec, ConditionalSpec):
            fan_out = self._containers.fan_out(fan_out_name, CHOSEN)
        elif isinstance(spec, MapSpec) and batch_size > 1:
            fan_out = self._containers.fan_out(
                fan_out_name, BATCHES, ("--batch-size", str(batch_size))
            )
        elif isinstance(spec, MapSpec):
            fan_out = self._containers.fan_out(fan_out_name, BRANCHES)
        else:
            fan_out = self._containers.fan_out(fan_out_name)
        self.templates += [fan_out, fan_in]
        tasks = [
            m.DAGTask(name="fan-out", template=fan_out.name, arguments=_arguments("step", STEP))
        ]
        branch_tasks = list(self._branches(node, shape, batch_size))
        tasks += branch_tasks
        ended = " && ".join(_ENDED.format(task.name) for task in branch_tasks)
        tasks.append(
            m.DAGTask(
                name="fan-in",
                template=fan_in.name,
                depends=ended,
                arguments=_arguments("step", STEP),
            )
        )
        inputs = m.Inputs(parameters=[m.Parameter(name="step")])
        self.templates.append(m.Template(name=name, inputs=inputs, dag=m.DAGTemplate(tasks=tasks)))
        return name

    def _map_settings(self, spec: object, shape: str) -> ContainerSettings:
        """The settings of a map's batch pods: the override its branch's tasks name, if any."""
        if not isinstance(spec, MapSpec):
            return self._config
        named = sorted(_overrides_in(spec.branch))
        if len(named) > 1:
            raise ConfigurationError(
                f"the tasks of map {shape!r} name different argo overrides ({', '.join(named)}); "
                "a map's iterations_per_pod and batch pods come from one: name the same one"
            )
        return self._config.settings_for(named[0] if named else None, shape)

    def _branches(self, node: Node, shape: str, batch_size: int) -> Iterator[m.DAGTask]:
        spec = node.composite
        if isinstance(spec, LoopSpec):
            yield from self._unrolled_loop(spec, shape)
            return
        if isinstance(spec, MapSpec) and batch_size > 1:
            # One pod per batch of iterations; each still records its own steps.
            batch = self._containers.branch_batch(
                self._names.claim(f"{shape}-batch"), batch_size, self._map_settings(spec, shape)
            )
            self.templates.append(batch)
            yield m.DAGTask(
                name="batches",
                template=batch.name,
                depends="fan-out.Succeeded",
                with_param=BATCH_NUMBERS,
                arguments=m.Arguments(
                    parameters=[
                        m.Parameter(name="step", value=STEP),
                        m.Parameter(name="batch", value="{{item}}"),
                    ]
                ),
            )
            return
        if isinstance(spec, MapSpec):
            # One template for every iteration; the key arrives as {{item}} in its prefix.
            yield m.DAGTask(
                name="branches",
                template=self.graph(spec.branch, f"{shape}.branch"),
                depends="fan-out.Succeeded",
                with_param=KEYS,
                arguments=_arguments("prefix", f"{STEP}.{{{{item}}}}"),
            )
            return
        if spec is None:
            return
        task_names = Namer(reserved=("fan-out", "fan-in", "branches"))
        for position, (key, branch) in enumerate(spec.branches.items()):
            # A conditional's fan-out writes the chosen branch's position; the others skip.
            chosen = f"{CHOSEN_POSITION} == {position}"
            yield m.DAGTask(
                name=task_names.claim(f"branch-{key}"),
                template=self.graph(branch, f"{shape}.{key}"),
                depends="fan-out.Succeeded",
                when=chosen if isinstance(spec, ConditionalSpec) else None,
                arguments=_arguments("prefix", f"{STEP}.{key}"),
            )

    def _unrolled_loop(self, spec: LoopSpec, shape: str) -> Iterator[m.DAGTask]:
        """A loop, unrolled to max_iterations: iteration i runs only if loop-next chose it.

        Argo has no do-while for DAGs, and a recursive template would hide the iterations'
        step paths; unrolling keeps one DAG task per iteration, each skipped once the
        loop is done, and the service decides (as locally) whether another iteration runs.
        """
        branch = self.graph(spec.branch, f"{shape}.branch")
        after = self._names.claim(f"{shape}-loop-next")
        self.templates.append(self._containers.loop_next(after))
        for index in range(spec.max_iterations):
            more = f"{{{{tasks.next-{index - 1}.outputs.parameters.more}}}}"
            when = None if index == 0 else f"{more} == true"
            depends = "fan-out.Succeeded" if index == 0 else f"next-{index - 1}.Succeeded"
            yield m.DAGTask(
                name=f"iteration-{index}",
                template=branch,
                depends=depends,
                when=when,
                arguments=_arguments("prefix", f"{STEP}.{index}"),
            )
            # Only after an iteration that ran: a skipped one leaves the next omitted too.
            ran = f"iteration-{index}"
            yield m.DAGTask(
                name=f"next-{index}",
                template=after,
                depends=f"({ran}.Succeeded || {ran}.Failed || {ran}.Errored)",
                arguments=_arguments("step", STEP),
            )


def reachable(graph: Graph) -> list[Node]:
    """The non-terminal nodes a walk can reach (by next or on_failure), in graph order."""
    seen, queue = {graph.start_at}, deque([graph.start_at])
    while queue:
        node = graph[queue.popleft()]
        for target in (node.next, node.on_failure):
            if target is not None and target not in seen:
                seen.add(target)
                queue.append(target)
    return [node for node in graph.nodes.values() if node.name in seen and not node.is_terminal]


def _overrides_in(graph: Graph) -> set[str]:
    """The argo overrides the tasks of a graph name, nested composites included."""
    named: set[str] = set()
    for node in graph.nodes.values():
        if node.task is not None and "argo" in node.task.overrides:
            named.add(node.task.overrides["argo"])
        spec = node.composite
        if isinstance(spec, MapSpec | LoopSpec):
            named |= _overrides_in(spec.branch)
        elif spec is not None:
            for branch in spec.branches.values():
                named |= _overrides_in(branch)
    return named


def _incoming(nodes: list[Node], named: dict[str, str]) -> dict[str, list[str]]:
    """How the walk reaches each node: after a step succeeded, or (handlers) after it failed."""
    ways: dict[str, list[str]] = {}
    for before in nodes:
        task = named[before.name]
        if before.next is not None:
            ways.setdefault(before.next, []).append(f"{task}.Succeeded")
        if before.on_failure is not None:
            ways.setdefault(before.on_failure, []).append(f"({task}.Failed || {task}.Errored)")
    return ways


def _arguments(name: str, value: str) -> m.Arguments:
    return m.Arguments(parameters=[m.Parameter(name=name, value=value)])
