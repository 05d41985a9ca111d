"""runnable's environment: loop indexes and parameters as plain environment variables.

runnable exports a loop's index as the environment variable `index_as` (its examples read
`os.environ["counter"]`) and hands shell commands every parameter by its bare name,
collecting returns from the variables the command exported. runplane passes the index as
a parameter and gives shell commands `RUNPLANE_PRM_<name>` and `$RUNPLANE_RETURNS`; these
wrappers translate, without changing what the run log records.
"""

from __future__ import annotations

import functools
import inspect
import os
import shlex
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from runplane.domain.parameters import ENV_PREFIX


class _Unset:
    """The default of an index argument a wrapper adds: the step ran outside the loop."""


_UNSET = _Unset()


def exporting(function: Callable[..., Any], names: Iterable[str]) -> Callable[..., Any]:
    """`function`, with the parameters `names` also set as environment variables for the call.

    The wrapper's signature is the function's plus a keyword argument per name it does not
    take already, so runplane binds the loop index to it; the function gets only its own.
    """
    wanted = sorted(names)
    if not wanted:
        return function
    signature = inspect.signature(function)
    own = set(signature.parameters)

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        values = {n: kwargs[n] for n in wanted if kwargs.get(n, _UNSET) is not _UNSET}
        for name in wanted:
            if name not in own:
                kwargs.pop(name, None)
        with _environment({n: str(v) for n, v in values.items()}):
            return function(*args, **kwargs)

    params = list(signature.parameters.values())
    rest = [p for p in params if p.kind is p.VAR_KEYWORD]
    added = [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=_UNSET)
        for n in wanted
        if n not in own
    ]
    call.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for p in params if p.kind is not p.VAR_KEYWORD] + added + rest
    )
    return call


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def shell_command(command: str, returns: Iterable[str]) -> str:
    """A bash command running `command` the runnable way.

    Every `RUNPLANE_PRM_<name>` is exported as `<name>` first; when the command ends with
    status 0 (also through `exit 0`), each return that is set is written to
    `$RUNPLANE_RETURNS` as `name=value`, which runplane parses as JSON, else a string.
    """
    prefix = ENV_PREFIX
    collect = "".join(
        f'[ -n "${{{name}+set}}" ] && printf "%s=%s\\n" {shlex.quote(name)} "${name}" '
        '>> "$RUNPLANE_RETURNS"; '
        for name in returns
    )
    return (
        f"for __rp_var in $(compgen -e); do case $__rp_var in {prefix}?*) "
        f'export "${{__rp_var#{prefix}}}=${{!__rp_var}}" 2>/dev/null;; esac; done\n'
        f"trap '__rp_rc=$?; if [ $__rp_rc -eq 0 ]; then {_quoted(collect)}fi; "
        "exit $__rp_rc' EXIT\n"
        f"{command}"
    )


def _quoted(text: str) -> str:
    # The collecting code sits inside a single-quoted trap: close, escape, reopen for quotes.
    return text.replace("'", "'\\''")
