"""Talking to the Argo Server API through hera's WorkflowsService."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from hera.exceptions import HeraException
from hera.workflows import models as m
from hera.workflows.service import WorkflowsService

from runplane.domain.errors import ExecutionError
from runplane.ports.executor import SubmitTarget, WorkflowState


def submit(manifest: Mapping[str, Any], target: SubmitTarget) -> str:
    """Create a Workflow (POST /api/v1/workflows/{namespace}); return its generated name."""
    kind = manifest.get("kind")
    if kind != "Workflow":
        raise ExecutionError(
            f"submit creates Workflows, not {kind!r}; render a Workflow (the default --kind)"
        )
    workflow = m.Workflow.model_validate(dict(manifest))
    try:
        created = _service(target).create_workflow(m.WorkflowCreateRequest(workflow=workflow))
    except (HeraException, requests.RequestException) as exc:
        raise ExecutionError(_failed("create the workflow", target, exc)) from exc
    name = created.metadata.name if created.metadata else None
    if not name:
        raise ExecutionError(f"Argo server {target.server} created a workflow without a name")
    return name


def state(name: str, target: SubmitTarget) -> WorkflowState:
    """GET the workflow: its phase and each node's, by display name."""
    try:
        workflow = _service(target).get_workflow(name)
    except (HeraException, requests.RequestException) as exc:
        raise ExecutionError(_failed(f"read workflow {name!r}", target, exc)) from exc
    status = workflow.status
    nodes = {
        node.display_name or node_id: node.phase or "Pending"
        for node_id, node in ((status.nodes or {}) if status else {}).items()
    }
    return WorkflowState(
        name=name, phase=(status.phase if status else None) or "Pending", nodes=nodes
    )


def _service(target: SubmitTarget) -> WorkflowsService:
    if not target.server.startswith(("http://", "https://")):
        raise ExecutionError(
            f"Argo server URL {target.server!r} needs a scheme: http://... or https://..."
        )
    return WorkflowsService(
        host=target.server,
        token=target.token,
        namespace=target.namespace,
        verify_ssl=target.verify_tls,
    )


def _failed(what: str, target: SubmitTarget, exc: Exception) -> str:
    return (
        f"could not {what} on Argo server {target.server} (namespace {target.namespace!r}): "
        f"{type(exc).__name__}: {exc}"
    )
