"""The HTML graph opened in headless Chromium: it renders its nodes, with no console errors."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.conftest import REPO, Cli

pytestmark = pytest.mark.integration

MAP = REPO / "examples" / "map_files" / "pipeline.py"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium: apt-get install -y chromium"
)


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@needs_chromium
def test_html_graph_renders_in_chromium(cli: Cli, workdir: Path, tmp_path: Path) -> None:
    assert cli("run", str(MAP), "--run-id", "b1", "-q").code == 0
    assert cli("graph", str(MAP), "-f", "html", "-o", "graph.html", "--run", "b1").code == 0
    page = workdir / "graph.html"

    dom = chromium(page, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr
    # The inline script ran to its end: it counted the drawn nodes into the body.
    assert 'data-rendered="6"' in dom.stdout  # write_files, per_file, count_words, check, 2 ends
    assert 'data-path="per_file.*.count_words"' in dom.stdout
    # Chromium logs every console message and uncaught exception as a CONSOLE line; the page
    # logs nothing, so any such line is an error.
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []

    shot = tmp_path / "graph.png"
    taken = chromium(
        page, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=800,900"
    )
    assert taken.returncode == 0, taken.stderr
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(png) > 5_000
