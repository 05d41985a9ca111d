"""Every ```python block in docs/ and the README runs (rules in docs/quickstart.md)."""

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.conftest import REPO

pytestmark = pytest.mark.integration

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_BLOCK = re.compile(
    r"(?:^<!-- docs-test: (?P<marker>\w+)(?: (?P<arg>[^>]*?))? -->\n)?"
    r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)


@dataclass
class Block:
    lang: str
    body: str
    marker: str | None
    arg: str
    line: int


def blocks(document: Path) -> list[Block]:
    text = document.read_text()
    found = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("lang")) + 1
        marker = match.group("marker")
        if marker not in (None, "file", "skip"):
            raise AssertionError(f"{document.name}:{line}: unknown docs-test marker {marker!r}")
        found.append(
            Block(match.group("lang"), match.group("body"), marker, match.group("arg") or "", line)
        )
    return found


def test_markers_are_known_and_skips_give_a_reason() -> None:
    for document in DOCUMENTS:
        for block in blocks(document):
            if block.marker == "skip":
                assert block.arg.strip("() "), f"{document.name}:{block.line}: skip needs a reason"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_python_blocks_run(document: Path, tmp_path: Path, clean_env: dict[str, str]) -> None:
    found = blocks(document)
    runnable = [b for b in found if b.lang == "python" and b.marker is None]
    if not runnable:
        pytest.skip(f"{document.name} has no python block to run")
    shutil.copytree(REPO / "config", tmp_path / "config")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    for block in found:
        if block.marker == "file":
            (tmp_path / block.arg.strip()).write_text(block.body)
    # One script per document, a banner per block so a traceback points at its source.
    script = "".join(f"# --- {document.name} line {b.line} ---\n{b.body}\n" for b in runnable)
    (tmp_path / "docs_script.py").write_text(script)
    done = subprocess.run(
        [sys.executable, "docs_script.py"],
        cwd=tmp_path,
        env={**clean_env, "secret_key": "s3cr3t"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{document.name}:\n{done.stderr[-3000:]}"
