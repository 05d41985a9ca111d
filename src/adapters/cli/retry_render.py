"""`runplane retry` with an executor that renders (Argo): a workflow that retries the run.

The service refuses to retry in this process (RendersOnlyError) before recording anything;
this renders instead a workflow whose first pod (`start-run --retry-of`) calls the service's
retry, so what is reused follows the same rules as a local retry, and whose other pods run
the rest. The store may be out of reach from here (a volume in the cluster): give
`--pipeline` and nothing is read from it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from runplane.adapters.cli.commands import err, out
from runplane.domain.errors import ConfigurationError
from runplane.ports.driving import Application
from runplane.ports.executor import RetryOf, SubmitTarget


@dataclass(frozen=True)
class OrchestratedRetry:
    """What `runplane retry` was asked, for a retry on the orchestrator."""

    run_id: str
    pipeline: str | None
    from_step: str | None
    new_run_id: str | None
    parameters: str | None
    output: str | None
    submit: bool
    server: str | None
    namespace: str
    token: str | None
    verify_tls: bool


def retry_on_orchestrator(app: Application, request: OrchestratedRetry) -> None:
    """Render the retry workflow (to stdout or `output`), or create it with `submit`."""
    pipeline = request.pipeline or app.queries.get_run(request.run_id).pipeline_file
    if not pipeline:
        raise ConfigurationError(
            f"run {request.run_id!r} recorded no pipeline file: pass --pipeline PIPELINE"
        )
    if request.submit and not request.server:
        raise ConfigurationError("--submit needs --server URL (the Argo Server)")
    retry_of = RetryOf(
        request.run_id,
        from_step=request.from_step,
        with_parameters=request.parameters is not None,
        new_run_id=request.new_run_id,
    )
    manifest = app.deployment.render(
        app.definitions.pipeline(pipeline),
        pipeline_file=pipeline,
        parameters_file=request.parameters,
        retry_of=retry_of,
    )
    if request.submit:
        assert request.server is not None
        target = SubmitTarget(request.server, request.namespace, request.token, request.verify_tls)
        out.print(app.deployment.submit(manifest, target), markup=False, highlight=False)
        return
    text = yaml.safe_dump(manifest, sort_keys=False)
    if request.output is None:
        sys.stdout.write(text)
        return
    Path(request.output).write_text(text)
    err.print(f"wrote the retry workflow to {request.output}", markup=False, highlight=False)
