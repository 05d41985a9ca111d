"""Adapter construction: a validated section becomes its port's adapter, typed as the port."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from runplane.app.config_sections import AdapterSection, validate_section
from runplane.app.registry import (
    CATALOG,
    EXECUTOR,
    PORTS,
    RUN_LOG_STORE,
    SECRETS,
    Port,
    installed,
    load,
)
from runplane.domain.errors import ConfigurationError

__all__ = [
    "CATALOG",
    "EXECUTOR",
    "PORTS",
    "RUN_LOG_STORE",
    "SECRETS",
    "Port",
    "build",
    "build_port",
    "installed",
    "load",
]

P = TypeVar("P")


def build_port(port: Port[P], section: AdapterSection, source: str) -> P:
    """Construct the adapter a validated section names, checked against its port.

    The composition root calls this once per port (`build_port(EXECUTOR, settings.executor,
    source)`), so mypy sees an `Executor` where the wiring needs one. Constructors do no I/O.
    """
    if section.section != port.section:
        raise ConfigurationError(
            f"{source}: a '{section.section}' section cannot configure the {port.section} port"
        )
    adapter = section.adapter_class(config=section.adapter_config)
    if not isinstance(adapter, port.protocol):
        missing = [
            m for m in dir(port.protocol) if not m.startswith("_") and not hasattr(adapter, m)
        ]
        raise ConfigurationError(
            f"{source}: {port.section} type '{section.type}' does not implement "
            f"{port.protocol.__name__}: missing {', '.join(missing)}"
        )
    return cast(P, adapter)


def build(section: str, raw: dict[str, Any], source: str) -> Any:
    """Validate a raw `{type, config}` section and construct its adapter.

    Kept for callers that hold raw sections; new wiring validates with `load_settings` and
    calls `build_port`, which returns the port's type.
    """
    return build_port(PORTS[section], validate_section(section, raw, source), source)
