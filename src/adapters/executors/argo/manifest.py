"""The whole manifest: start-run, the pipeline's DAG, finish-run; as Workflow, template or cron.

Built from hera's models (`hera.workflows.models`), which mirror Argo's API types; this
module is imported only when a manifest is rendered, so runplane works without hera.
"""

from __future__ import annotations

import json
from typing import Any

from hera.workflows import models as m

from runplane.adapters.executors.argo.config import ArgoExecutorConfig
from runplane.adapters.executors.argo.containers import Containers
from runplane.adapters.executors.argo.dag import DagBuilder
from runplane.adapters.executors.argo.naming import Namer, dns_name
from runplane.domain.errors import ConfigurationError
from runplane.ports.executor import MANIFEST_KINDS, RenderRequest

API_VERSION = "argoproj.io/v1alpha1"
ENTRYPOINT = "runplane"


def render(config: ArgoExecutorConfig, request: RenderRequest) -> dict[str, Any]:
    """The manifest of `request.kind` as JSON-ready data (camelCase keys, no nulls)."""
    _check_kind(request)
    spec = workflow_spec(config, request)
    name = dns_name(config.name or request.graph.name or "runplane", limit=50)
    labels, annotations = dict(config.labels) or None, dict(config.annotations) or None
    document: m.Workflow | m.WorkflowTemplate | m.CronWorkflow
    if request.kind == "Workflow":
        meta = m.ObjectMeta(generate_name=f"{name}-", labels=labels, annotations=annotations)
        document = m.Workflow(api_version=API_VERSION, kind="Workflow", metadata=meta, spec=spec)
    elif request.kind == "WorkflowTemplate":
        meta = m.ObjectMeta(name=name, labels=labels, annotations=annotations)
        document = m.WorkflowTemplate(
            api_version=API_VERSION, kind="WorkflowTemplate", metadata=meta, spec=spec
        )
    else:
        meta = m.ObjectMeta(name=name, labels=labels, annotations=annotations)
        cron = m.CronWorkflowSpec(
            schedules=[str(request.schedule)], timezone=config.timezone, workflow_spec=spec
        )
        document = m.CronWorkflow(
            api_version=API_VERSION, kind="CronWorkflow", metadata=meta, spec=cron
        )
    rendered: dict[str, Any] = document.model_dump(by_alias=True, exclude_none=True, mode="json")
    return rendered


def workflow_spec(config: ArgoExecutorConfig, request: RenderRequest) -> m.WorkflowSpec:
    """The spec shared by all kinds: arguments, pod-wide settings and every template."""
    containers = Containers(config, request.configuration, request.pipeline_file)
    names = Namer(reserved=(ENTRYPOINT, "start-run", "finish-run"))
    builder = DagBuilder(config, containers, names)
    pipeline = builder.graph(request.graph, "", wanted="pipeline")
    entry = m.Template(
        name=ENTRYPOINT,
        dag=m.DAGTemplate(
            tasks=[
                m.DAGTask(name="start-run", template="start-run"),
                m.DAGTask(name="pipeline", template=pipeline, depends="start-run.Succeeded"),
                # Whatever happened to the steps, the run gets its final status recorded.
                m.DAGTask(
                    name="finish-run",
                    template="finish-run",
                    depends="pipeline.Succeeded || pipeline.Failed || pipeline.Errored",
                ),
            ]
        ),
    )
    retry = request.retry_of
    templates = [
        entry,
        containers.start_run("start-run", retry),
        containers.finish_run("finish-run"),
    ]
    run_id = retry.new_run_id if retry and retry.new_run_id else "{{workflow.name}}"
    return m.WorkflowSpec(
        entrypoint=ENTRYPOINT,
        arguments=m.Arguments(
            parameters=[
                m.Parameter(name="run_id", value=run_id),
                m.Parameter(
                    name="parameters", value=json.dumps(dict(request.parameters), allow_nan=False)
                ),
            ]
        ),
        templates=[*templates, *builder.templates],
        volumes=[
            m.Volume(
                name=v.name,
                persistent_volume_claim=m.PersistentVolumeClaimVolumeSource(claim_name=v.name),
            )
            for v in config.persistent_volumes
        ]
        or None,
        service_account_name=config.service_account_name,
        image_pull_secrets=[m.LocalObjectReference(name=s) for s in config.image_pull_secrets]
        or None,
        parallelism=config.parallelism,
        active_deadline_seconds=config.active_deadline_seconds,
        ttl_strategy=m.TTLStrategy(**config.ttl_strategy.model_dump())
        if config.ttl_strategy
        else None,
    )


def _check_kind(request: RenderRequest) -> None:
    if request.kind not in MANIFEST_KINDS:
        raise ConfigurationError(
            f"cannot render kind {request.kind!r}; valid kinds: {', '.join(MANIFEST_KINDS)}"
        )
    if request.kind == "CronWorkflow" and not request.schedule:
        raise ConfigurationError(
            "a CronWorkflow needs a schedule: pass --schedule '<cron expression>', "
            "for example '0 3 * * *'"
        )
    if request.kind != "CronWorkflow" and request.schedule:
        raise ConfigurationError(
            f"--schedule applies to kind CronWorkflow only, not {request.kind!r}"
        )
