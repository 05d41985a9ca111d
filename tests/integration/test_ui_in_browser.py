"""`runplane ui` in a subprocess, its pages loaded in headless Chromium: the rendered DOM."""

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import RUNPLANE, Cli
from tests.integration.test_graph_in_browser import CHROMIUM

pytestmark = pytest.mark.integration

FAILING_MAP = """
from runplane import Map, Pipeline, PythonTask, metric


def items() -> list[int]:
    return [1, 0, 2]


def spread() -> float:
    return 2.5


def invert(x: int) -> float:
    print(f"inverting {x}")
    return 1 / x


pipeline = Pipeline(
    [
        PythonTask(items, returns=["xs"]),
        PythonTask(spread, returns=[metric("spread")]),
        Map("each", iterate_on="xs", iterate_as="x",
            branch=Pipeline([PythonTask(invert, returns=["inverse"])])),
    ],
    name="inverses",
)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def ui_server(cli: Cli, workdir: Path, clean_env: dict[str, str]) -> Iterator[str]:
    (workdir / "inverses.py").write_text(FAILING_MAP)
    assert cli("run", "inverses.py", "--run-id", "broken", "--tag", "nightly", "-q").code == 1
    assert cli("start-run", "inverses.py", "--run-id", "pending").code == 0  # never finishes
    port = free_port()
    server = subprocess.Popen(
        [RUNPLANE, "ui", "--port", str(port)],
        cwd=workdir,
        env=clean_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        assert "serving on http://localhost:" in server.stderr.readline()
        # uvicorn binds right after that line; wait for it (or for the process to die).
        while not listening(port):
            assert server.poll() is None, server.stderr.read()
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr is not None:
            server.stderr.close()


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
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
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def page(url: str, tmp_path: Path, name: str, *extra: str) -> str:
    """The page's DOM after its scripts ran; its screenshot kept as `<name>.png`.

    Screenshots go to $RUNPLANE_UI_SCREENSHOTS when set (CI artifacts), else to tmp_path.
    """
    folder = Path(os.environ.get("RUNPLANE_UI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"{name}.png"
    shown = chromium(
        url,
        tmp_path / "profile",
        "--dump-dom",
        f"--screenshot={shot}",
        "--window-size=1200,900",
        "--hide-scrollbars",
        *extra,
    )
    assert shown.returncode == 0, shown.stderr
    # Chromium logs console messages and uncaught exceptions as CONSOLE lines: none expected.
    assert [line for line in shown.stderr.splitlines() if ":CONSOLE" in line] == []
    assert shot.read_bytes().startswith(b"\x89PNG")
    return shown.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium: apt-get install -y chromium")
def test_runs_run_compare_and_metrics_pages_render_in_chromium(
    ui_server: str, tmp_path: Path
) -> None:
    runs = page(ui_server + "/", tmp_path, "runs")
    assert 'data-ready="1"' in runs  # ui.js ran to its end
    assert '<tr data-run="broken">' in runs
    assert '<tr data-run="pending">' in runs
    assert '<span class="status fail">fail</span>' in runs
    assert "nightly" in runs

    run = page(ui_server + "/runs/broken?step=each.1.invert", tmp_path, "run-failed-iteration")
    assert 'data-path="each.*.invert" data-kind="task" data-status="fail"' in run
    assert "3 runs, 1 failed" in run  # how many iterations failed, on the map's node
    assert 'title="each.1: fail" href="?step=each.1.invert"' in run  # and which one
    panel = run[run.index('id="step-panel"') :]
    assert "inverting 0" in panel  # what the failed iteration printed
    assert "ZeroDivisionError" in panel  # its traceback

    compare = page(ui_server + "/compare?runs=broken,pending", tmp_path, "compare")
    assert '<tr class="differs"><th>xs</th><td>[1, 0, 2]</td><td class="changed">-</td>' in compare

    plot = page(ui_server + "/metrics?pipeline=inverses&metric=spread.spread", tmp_path, "metrics")
    assert 'data-run="broken"' in plot
    assert "<title>broken [nightly]: 2.5" in plot

    # An unfinished run's page re-reads itself: with 4 s of virtual time the 3 s timer fires.
    live = page(ui_server + "/runs/pending", tmp_path, "live", "--virtual-time-budget=4000")
    assert 'data-live="1"' in live
    assert 'data-refreshes="1"' in live
