"""The dependency-injector container: configuration in, adapters and the service out."""

from __future__ import annotations

from dependency_injector import containers, providers

from runplane.adapters.tasks.asynchronous import EventCallback
from runplane.adapters.tasks.mocked import MockedTaskRunner
from runplane.adapters.tasks.notebook import NotebookTaskRunner
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.app import plugins
from runplane.app.config import load_settings
from runplane.app.queries import RunQueryService
from runplane.app.telemetry import build_service
from runplane.ports.definitions import PipelineDefinitions


class Container(containers.DeclarativeContainer):
    """One singleton per port, built from its `{type, config}` section through the registry."""

    config = providers.Configuration(strict=True)
    source = providers.Object("the default configuration")
    configuration_file: providers.Object[str | None] = providers.Object(None)
    #: Receives events that async generator tasks stream (`pipeline.execute(on_event=...)`).
    on_event: providers.Object[EventCallback | None] = providers.Object(None)
    #: Loads pipeline and job files; given by the caller (the SDK), which app never imports.
    definitions: providers.Object[PipelineDefinitions | None] = providers.Object(None)

    executor = providers.Singleton(plugins.build, "executor", config.executor, source)
    run_log_store = providers.Singleton(
        plugins.build, "run_log_store", config.run_log_store, source
    )
    catalog = providers.Singleton(plugins.build, "catalog", config.catalog, source)
    secrets = providers.Singleton(plugins.build, "secrets", config.secrets, source)

    task_runners = providers.Dict(
        python=providers.Singleton(PythonTaskRunner, on_event=on_event),
        shell=providers.Singleton(ShellTaskRunner),
        mocked=providers.Singleton(MockedTaskRunner),
        notebook=providers.Singleton(NotebookTaskRunner),
    )

    service = providers.Factory(
        build_service,
        telemetry=config.telemetry,
        source=source,
        executor_type=config.executor.type,
        executor=executor,
        run_log_store=run_log_store,
        catalog=catalog,
        secrets=secrets,
        task_runners=task_runners,
        configuration=config,
        configuration_file=configuration_file,
        definitions=definitions,
    )
    #: The read side (`runplane.Run`, the CLI's `runs get` and `runs files`).
    queries = providers.Factory(
        RunQueryService, run_log_store=run_log_store, catalog=catalog, secrets=secrets
    )


def create_container(
    configuration_file: str | None = None,
    on_event: EventCallback | None = None,
    definitions: PipelineDefinitions | None = None,
) -> Container:
    """Load the configuration and build every adapter now, so bad config fails before a step."""
    settings, source = load_settings(configuration_file)
    container = Container()
    container.config.from_dict(settings.sections())
    container.source.override(providers.Object(source))
    if on_event is not None:
        container.on_event.override(providers.Object(on_event))
    if definitions is not None:
        container.definitions.override(providers.Object(definitions))
    if configuration_file:
        container.configuration_file.override(providers.Object(configuration_file))
    for port in (container.executor, container.run_log_store, container.catalog, container.secrets):
        port()
    return container
