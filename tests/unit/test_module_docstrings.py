"""Every module of the package opens with a docstring line saying what it holds."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def opening_line(source: str) -> str:
    """The first line of a module's docstring, or "" when it has none."""
    docstring = ast.get_docstring(ast.parse(source), clean=False) or ""
    return docstring.strip().splitlines()[0].strip() if docstring.strip() else ""


def test_every_module_opens_with_a_line_saying_what_it_holds() -> None:
    modules = sorted(SRC.rglob("*.py"))
    assert len(modules) > 100, f"expected the package's modules under {SRC}"
    # A sentence of at least three words: "Helpers." or a bare name says nothing.
    bare = [
        f"src/{path.relative_to(SRC)}: {opening_line(path.read_text())!r}"
        for path in modules
        if len(opening_line(path.read_text()).split()) < 3
    ]
    assert not bare, "modules without an opening line saying what they hold:\n" + "\n".join(bare)


def test_a_module_without_a_docstring_has_no_opening_line() -> None:
    assert opening_line("import os\n") == ""
    assert opening_line('"""\n\n"""\nx = 1\n') == ""
    assert (
        opening_line('"""\nThe task port: how a task runs.\n"""\n')
        == "The task port: how a task runs."
    )
