"""dependency-injector's containers and providers, imported without its web-framework probes.

Importing `dependency_injector.containers` imports its `wiring` module, which tries to
import fastapi, fast-depends, starlette and werkzeug (to recognise their request objects
when wiring functions). runplane never uses wiring, but with the `ui` extra (starlette) or
moto (werkzeug) installed those imports cost every `execute-step` process about a second
on a loaded 2-core machine. They are made to fail, as if not installed, for this one import;
a framework already imported is left alone, and afterwards each imports normally.
"""

from __future__ import annotations

import sys

_PROBED = ("fastapi", "fast_depends", "starlette", "werkzeug")

_blocked = [name for name in _PROBED if name not in sys.modules]
for _name in _blocked:
    sys.modules[_name] = None  # type: ignore[assignment]  # None: "not installed" to import
try:
    from dependency_injector import containers, errors, providers
finally:
    for _name in _blocked:
        if sys.modules.get(_name, "") is None:
            del sys.modules[_name]

__all__ = ["containers", "errors", "providers"]
