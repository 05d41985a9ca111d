"""Every way a step can show a secret: print, repr, JSON, URL, logging, stderr, exceptions.

`holder` declares the secrets and holds them while its sibling `peeker`, which declares
none, prints whatever it finds in its environment (on `local` with two workers they share
it). `explode` fails with the value in a KeyError (its repr) and then in a ValueError. No
value is in this file: the secrets come from the configured store.
"""

import json
import logging
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

from runplane import Parallel, Pipeline, PythonTask, ShellTask

NAMES = ["key_one", "key_two"]
log = logging.getLogger("user.step")


def shout(name: str) -> None:
    value = os.environ.get(name)
    if not value:
        return
    print(value)
    print(repr(value), json.dumps(value), json.dumps(value, ensure_ascii=False))
    print(quote(value), quote_plus(value), quote(value, safe=""))
    print([value], {"value": value})
    for line in value.splitlines():
        print(f"line: {line}")
    sys.stderr.write(f"to stderr: {value}\n")
    log.warning("logged: %s", value)
    log.warning("logged repr: %r", value)


def mark(name: str) -> Path:
    """A marker file where every step sees it: `LEAK_SYNC` on Argo (a pod per step), else here."""
    return Path(os.environ.get("LEAK_SYNC", ".")) / name


def wait_for(name: str) -> None:
    deadline = time.monotonic() + 30
    while not mark(name).exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def holder() -> None:
    for name in NAMES:
        shout(name)
    mark("holding").touch()
    wait_for("peeked")


def peeker() -> None:
    wait_for("holding")
    for name in NAMES:
        shout(name)
    mark("peeked").touch()


def explode() -> None:
    value = os.environ["key_one"]
    if not mark("exploded").exists():
        mark("exploded").touch()
        raise KeyError(value)
    raise ValueError(f"refused {value} and {os.environ['key_two']!r}")


pipeline = Pipeline(
    [
        Parallel(
            "both",
            branches={
                "hold": Pipeline([PythonTask(holder, secrets=NAMES)]),
                "peek": Pipeline([PythonTask(peeker)]),
            },
        ),
        ShellTask(
            'printf "%s\\n" "$key_one" "$key_two"; echo "shell: $key_one" >&2',
            name="shell",
            secrets=NAMES,
        ),
        PythonTask(explode, secrets=NAMES, max_attempts=2),
    ]
)
