"""The composition root: one container from configuration to the four use cases.

Every command, the SDK's `execute()`, `runplane.Run` and each `execute-step` process build
their application here. A port's adapter is chosen by its section's `type`; the use cases
receive the ports as typed dependencies (`bootstrap.use_cases.UseCaseContainer`).
"""

from __future__ import annotations

from runplane.adapters.tasks.asynchronous import EventCallback
from runplane.app.bootstrap import adapters
from runplane.app.bootstrap.di import containers, providers
from runplane.app.bootstrap.use_cases import UseCaseContainer, application_of
from runplane.app.config import Settings, load_settings
from runplane.app.definitions import NoDefinitions
from runplane.ports.definitions import PipelineDefinitions
from runplane.ports.driving import Application
from runplane.ports.queries import RunQueries
from runplane.ports.step_path import StepPath


class Root(containers.DeclarativeContainer):
    """Configuration sections in; one singleton adapter per port; the use cases on them."""

    config = providers.Configuration(strict=True)
    source = providers.Object("the default configuration")
    configuration_file: providers.Object[str | None] = providers.Object(None)
    #: Receives events that async generator tasks stream (`pipeline.execute(on_event=...)`).
    on_event: providers.Object[EventCallback | None] = providers.Object(None)
    #: Loads pipeline and job files; given by the caller (the SDK), which app never imports.
    definitions: providers.Object[PipelineDefinitions] = providers.Object(NoDefinitions())

    #: The validated, typed settings (`config` holds the same sections as written).
    settings: providers.Dependency[Settings] = providers.Dependency(instance_of=Settings)

    executor = providers.Singleton(adapters.executor, settings, source)
    run_log_store = providers.Singleton(adapters.run_log_store, settings, source)
    catalog = providers.Singleton(adapters.catalog, settings, source)
    secrets = providers.Singleton(adapters.secrets, settings, source)
    task_runners = providers.Singleton(adapters.task_runners, on_event)

    use_cases = providers.Container(
        UseCaseContainer,
        executor=executor,
        run_log_store=run_log_store,
        catalog=catalog,
        secrets=secrets,
        task_runners=task_runners,
        definitions=definitions,
        configuration=config,
        configuration_file=configuration_file,
        telemetry=config.telemetry,
        source=source,
        executor_type=config.executor.type,
    )


#: A Root made ahead by `preload` in the step server: instantiating a container copies all
#: its providers (tens of ms here), so each forked step process takes this one instead.
_made_ahead: list[Root] = []


def create_root(
    configuration_file: str | None = None,
    on_event: EventCallback | None = None,
    definitions: PipelineDefinitions | None = None,
) -> Root:
    """Load the configuration and build every adapter now, so bad config fails before a step."""
    settings, source = load_settings(configuration_file)
    root = _made_ahead.pop() if _made_ahead else Root()
    root.settings.override(providers.Object(settings))
    root.config.from_dict(settings.sections())
    root.source.override(providers.Object(source))
    if on_event is not None:
        root.on_event.override(providers.Object(on_event))
    if definitions is not None:
        root.definitions.override(providers.Object(definitions))
    if configuration_file:
        root.configuration_file.override(providers.Object(configuration_file))
    for port in (root.executor, root.run_log_store, root.catalog, root.secrets):
        port()
    return root


def application(
    configuration_file: str | None = None,
    on_event: EventCallback | None = None,
    definitions: PipelineDefinitions | None = None,
) -> Application:
    """The use cases for a configuration file (the default configuration when None)."""
    return application_of(create_root(configuration_file, on_event, definitions).use_cases)


def queries(configuration_file: str | None = None) -> RunQueries:
    """Only the read side: no executor or task runner is used to read runs."""
    found: RunQueries = create_root(configuration_file).use_cases.queries()
    return found


def steps(configuration_file: str | None = None) -> StepPath:
    """Only the step path: what an `execute-step` process needs."""
    found: StepPath = create_root(configuration_file).use_cases.steps()
    return found


def preload(configuration_file: str | None = None) -> None:
    """Import the configured adapters' modules and the task runners', constructing none.

    The step server calls this once so that the processes it forks find them imported;
    nothing here logs in, connects or opens a run log (adapters are built per step).
    """
    load_settings(configuration_file)  # validating a section imports its adapter
    adapters.preload_task_runners()
    _made_ahead[:] = [Root()]
