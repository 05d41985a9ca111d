"""Container templates: every pod runs one `runplane` command against the shared stores."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hera.workflows import models as m

from runplane.adapters.executors.argo.config import (
    Amounts,
    ArgoExecutorConfig,
    ContainerSettings,
    Resources,
)
from runplane.ports.executor import RetryOf

#: How templates refer to the run id and to the step path they are given.
RUN_ID = "{{workflow.parameters.run_id}}"
STEP = "{{inputs.parameters.step}}"
#: Outputs of fan-out and loop-next pods: (Argo output parameter, command option, file).
#: Each needs no quoting in a `when` or `withParam` (see branch_commands.py).
BRANCHES = ("branches", "--output", "/tmp/runplane/branches.json")  # a map's keys, JSON
BATCHES = ("batches", "--batches", "/tmp/runplane/batches.json")  # batch numbers, JSON
CHOSEN = ("chosen", "--chosen", "/tmp/runplane/chosen")  # a conditional's branch position
MORE = ("more", "--more", "/tmp/runplane/more")  # whether a loop goes on: true or false
Output = tuple[str, str, str]
#: The configuration sections the containers receive, each as JSON in RUNPLANE_<SECTION>.
SECTIONS = ("executor", "run_log_store", "catalog", "secrets")


class Containers:
    """Builds the container templates of one rendering."""

    def __init__(
        self,
        config: ArgoExecutorConfig,
        configuration: Mapping[str, Any],
        pipeline_file: str,
    ) -> None:
        self._config = config
        self._pipeline_file = pipeline_file
        # pydantic-settings reads a whole section from RUNPLANE_<SECTION> as JSON: the pods
        # need no configuration file, ConfigMap or volume of their own.
        self._config_env = [
            m.EnvVar(
                name=f"RUNPLANE_{section.upper()}",
                value=json.dumps(configuration[section], allow_nan=False),
            )
            for section in SECTIONS
            if section in configuration
        ]

    def start_run(self, name: str, retry_of: RetryOf | None = None) -> m.Template:
        """Records the run, with the workflow's `parameters` argument as initial parameters.

        A retry's start-run records a retry of the failed run instead (reusing what it
        finished); it keeps the original's parameters unless the retry was given some.
        """
        args = ["start-run", self._pipeline_file, "--run-id", RUN_ID]
        if retry_of is not None:
            args += ["--retry-of", retry_of.run_id]
            args += ["--from", retry_of.from_step] if retry_of.from_step else []
        if retry_of is None or retry_of.with_parameters:
            args += ["--parameters-json", "{{workflow.parameters.parameters}}"]
        return self._template(name, args, self._config, step_input=False)

    def finish_run(self, name: str) -> m.Template:
        """Sets the run's status from its records; fails when the run failed."""
        args = ["finish-run", self._pipeline_file, "--run-id", RUN_ID]
        return self._template(name, args, self._config, step_input=False)

    def step(self, name: str, *, max_attempts: int, settings: ContainerSettings) -> m.Template:
        """Runs one task or stub: the one step path, one attempt per container."""
        args = ["execute-step", self._pipeline_file, STEP, "--run-id", RUN_ID]
        retry = None
        if max_attempts > 1:
            # Argo retries the failed container; each container makes one attempt, so the
            # run log records max_attempts attempts, as with the local executor. The limit is
            # a string: Argo's JSON schema types IntOrString as one.
            args += ["--attempts", "1"]
            retry = m.RetryStrategy(
                limit=m.IntOrString(str(max_attempts - 1)), retry_policy="OnFailure"
            )
        template = self._template(name, args, settings)
        template.retry_strategy = retry
        return template

    def fan_out(
        self, name: str, output: Output | None = None, extra: tuple[str, ...] = ()
    ) -> m.Template:
        """Opens a composite step; `output` (if any) becomes an Argo output parameter."""
        args = ["fan-out", self._pipeline_file, STEP, "--run-id", RUN_ID]
        return self._with_output(name, args, output, extra)

    def loop_next(self, name: str) -> m.Template:
        """Records a loop iteration; whether another runs becomes the output `more`."""
        args = ["loop-next", self._pipeline_file, STEP, "--run-id", RUN_ID]
        return self._with_output(name, args, MORE)

    def branch_batch(self, name: str, batch_size: int, settings: ContainerSettings) -> m.Template:
        """Runs batch `{{inputs.parameters.batch}}` of a map's branches in one pod."""
        args = ["execute-branches", self._pipeline_file, STEP, "--run-id", RUN_ID]
        args += ["--batch", "{{inputs.parameters.batch}}", "--batch-size", str(batch_size)]
        template = self._template(name, args, settings)
        template.inputs = m.Inputs(parameters=[m.Parameter(name="step"), m.Parameter(name="batch")])
        return template

    def _with_output(
        self, name: str, args: list[str], output: Output | None, extra: tuple[str, ...] = ()
    ) -> m.Template:
        if output is None:
            return self._template(name, [*args, *extra], self._config)
        parameter, option, path = output
        template = self._template(name, [*args, option, path, *extra], self._config)
        template.outputs = m.Outputs(
            parameters=[m.Parameter(name=parameter, value_from=m.ValueFrom(path=path))]
        )
        return template

    def fan_in(self, name: str) -> m.Template:
        """Closes a composite step from its branches' records; fails when the step failed."""
        args = ["fan-in", self._pipeline_file, STEP, "--run-id", RUN_ID]
        return self._template(name, args, self._config)

    def _template(
        self, name: str, args: list[str], settings: ContainerSettings, *, step_input: bool = True
    ) -> m.Template:
        container = m.Container(
            image=settings.image or self._config.image,
            command=["runplane"],
            args=args,
            env=[*self._config_env, *self._secret_env(), *_plain_env(settings.env)] or None,
            image_pull_policy=settings.image_pull_policy,
            resources=_resources(settings.resources),
            volume_mounts=[
                m.VolumeMount(name=v.name, mount_path=v.mount_path)
                for v in self._config.persistent_volumes
            ]
            or None,
            working_dir=self._config.working_dir,
        )
        return m.Template(
            name=name,
            inputs=m.Inputs(parameters=[m.Parameter(name="step")]) if step_input else None,
            container=container,
            node_selector=settings.node_selector or None,
            tolerations=[
                m.Toleration(**t.model_dump(exclude_none=True)) for t in settings.tolerations or ()
            ]
            or None,
        )

    def _secret_env(self) -> list[m.EnvVar]:
        return [
            m.EnvVar(
                name=s.environment_variable,
                value_from=m.EnvVarSource(
                    secret_key_ref=m.SecretKeySelector(name=s.secret_name, key=s.secret_key)
                ),
            )
            for s in self._config.secrets_from_k8s
        ]


def _plain_env(env: Mapping[str, str] | None) -> list[m.EnvVar]:
    return [m.EnvVar(name=key, value=value) for key, value in (env or {}).items()]


def _resources(resources: Resources | None) -> m.ResourceRequirements | None:
    if resources is None:
        return None
    return m.ResourceRequirements(
        requests=_amounts(resources.requests), limits=_amounts(resources.limits)
    )


def _amounts(amounts: Amounts | None) -> dict[str, m.Quantity] | None:
    if amounts is None:
        return None
    named = {"cpu": amounts.cpu, "memory": amounts.memory, "nvidia.com/gpu": amounts.gpu}
    return {key: m.Quantity(str(value)) for key, value in named.items() if value is not None}
