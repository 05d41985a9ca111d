"""The domain and the ports import only what an allowlist names (import-linter forbids only).

import-linter has no allowlist contract, and a blacklist lets new modules in silently
(`os`, `logging` and `fcntl` used to pass). This walks every import statement of
`src/domain` and `src/ports` with `ast`, including those under `TYPE_CHECKING` and inside
functions, and fails on anything the allowlist does not name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

#: Standard-library modules that hold values and pure functions: no I/O, no clock, no
#: environment, no processes, no logging. `datetime` is here for its types and arithmetic;
#: the domain never calls `now()` (time comes in as an argument).
DOMAIN_MODULES = frozenset(
    {
        "__future__",
        "collections",
        "collections.abc",
        "contextlib",
        "dataclasses",
        "datetime",
        "enum",
        "functools",
        "hashlib",
        "itertools",
        "json",
        "math",
        "re",
        "string",
        "typing",
        "urllib.parse",
        "runplane.domain",
    }
)
#: Names a module may give although the module as a whole is not allowed: pure paths
#: compute with names and never touch a file system.
DOMAIN_NAMES = {"pathlib": frozenset({"PurePosixPath", "PurePath"})}

#: Ports describe behaviour with Protocols over domain types; a `Path` in a signature says
#: where files are, the adapter does the I/O.
PORT_MODULES = DOMAIN_MODULES | {"pathlib", "runplane.ports"}


def _allowed(name: str, allowlist: frozenset[str]) -> bool:
    return any(name == allowed or name.startswith(allowed + ".") for allowed in allowlist)


def refused(
    source: str, modules: frozenset[str], names: dict[str, frozenset[str]]
) -> list[tuple[int, str]]:
    """(line, what) for each import in `source` outside the allowlists."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if not _allowed(a.name, modules)]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports stay inside the package being checked
                continue
            module = node.module or ""
            if _allowed(module, modules):
                continue
            given = names.get(module, frozenset())
            out += [(node.lineno, f"{module}.{a.name}") for a in node.names if a.name not in given]
    return out


def _modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


@pytest.mark.parametrize(
    ("package", "modules", "names"),
    [("domain", DOMAIN_MODULES, DOMAIN_NAMES), ("ports", PORT_MODULES, {})],
)
def test_package_imports_only_the_allowlist(
    package: str, modules: frozenset[str], names: dict[str, frozenset[str]]
) -> None:
    files = _modules(package)
    assert files, f"no modules found under src/{package}"
    problems = [
        f"src/{path.relative_to(SRC)}:{line}: {what}"
        for path in files
        for line, what in refused(path.read_text(), modules, names)
    ]
    assert not problems, f"imports outside the {package} allowlist:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        "import os",
        "import logging.handlers",
        "from os import environ",
        "from pathlib import Path",
        "from runplane.app import service",
        "import pydantic",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import subprocess",
        "def f():\n    import fcntl",
    ],
)
def test_the_check_refuses_io_and_outer_layers(source: str) -> None:
    assert refused(source, DOMAIN_MODULES, DOMAIN_NAMES)


@pytest.mark.parametrize(
    "source",
    [
        "from collections.abc import Mapping",
        "from pathlib import PurePosixPath",
        "from urllib.parse import quote",
        "from runplane.domain.errors import RunplaneError",
        "from . import errors",
    ],
)
def test_the_check_lets_value_modules_through(source: str) -> None:
    assert refused(source, DOMAIN_MODULES, DOMAIN_NAMES) == []
