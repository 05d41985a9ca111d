"""`runplane ui` in a subprocess, clicked through in headless Chromium (Selenium, chromedriver).

Debian's `chromium` and `chromium-driver` (one version, so they always fit) drive the
browser; `.ci/run` installs both. Without them the test skips, saying what to install.
"""

import os
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


CHROMEDRIVER = shutil.which("chromedriver")
WAIT = 30  # seconds a page may take to show what a step waits for (a loaded, shared machine)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Chromium under chromedriver, both from Debian; Selenium fetches nothing."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs the dev extra (selenium)")
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(
            "needs Debian's chromium and chromium-driver: apt-get install -y chromium-driver"
        )
    monkeypatch.setenv("SE_OFFLINE", "true")  # never download a driver or a browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: Any, tmp_path: Path, name: str) -> None:
    """Keep the page as `<name>.png`: in $RUNPLANE_UI_SCREENSHOTS when set, else tmp_path."""
    folder = Path(os.environ.get("RUNPLANE_UI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"{name}.png"
    assert driver.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")


def wait_for(driver: Any, condition: Callable[[Any], Any]) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait  # noqa: PLC0415

    return WebDriverWait(driver, WAIT).until(condition)


def css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    return wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector))


def test_a_person_clicks_through_runs_a_failed_iteration_compare_and_a_plot(
    ui_server: str, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    browser.get(ui_server + "/")
    css(browser, "body[data-ready='1']")
    assert css(browser, "tr[data-run='broken'] .status").text == "fail"
    assert css(browser, "tr[data-run='pending']")
    screenshot(browser, tmp_path, "runs")

    # Into the failed run: its map's iterations are boxes; the failed one opens its panel.
    css(browser, "tr[data-run='broken'] td:nth-child(2) a").click()
    failed = css(browser, "#graph g.node[data-path='each.1.invert']")
    assert failed.get_attribute("data-status") == "fail"
    assert (
        css(browser, "#graph g.node[data-path='each.0.invert']").get_attribute("data-status")
        == "success"
    )
    failed.click()
    panel = css(browser, "#step-panel[data-step='each.1.invert']")
    assert "inverting 0" in panel.find_element("css selector", "pre.output").text
    assert "ZeroDivisionError" in panel.find_element("css selector", "pre.traceback").text
    screenshot(browser, tmp_path, "run-failed-iteration")

    # Back to the runs, tick two, compare them.
    browser.get(ui_server + "/")
    css(browser, "tr[data-run='broken'] input.pick").click()
    css(browser, "tr[data-run='pending'] input.pick").click()
    css(browser, "#compare-button").click()
    wait_for(browser, lambda d: "/compare" in d.current_url)
    # Newest first, as ticked on the runs page; `xs` differs: the pending run has none yet.
    assert browser.title.startswith("compare pending, broken")
    xs = css(browser, "tr.differs").find_elements("css selector", "th, td")
    assert [cell.text for cell in xs] == ["xs", "-", "[1, 0, 2]"]
    screenshot(browser, tmp_path, "compare")

    # The metric over runs: pick the pipeline, then the metric, and hover a point.
    browser.get(ui_server + "/metrics")
    Select(css(browser, "select[name='pipeline']")).select_by_visible_text("inverses")
    Select(css(browser, "select[name='metric']")).select_by_visible_text("spread.spread")
    css(browser, "form.filters button").click()
    point = css(browser, "#plot [data-run='broken']")
    assert "broken [nightly]: 2.5" in point.get_attribute("innerHTML")
    screenshot(browser, tmp_path, "metrics")

    # An unfinished run's page re-reads itself (every 3 s) while it is open.
    browser.get(ui_server + "/runs/pending")
    assert css(browser, "body").get_attribute("data-live") == "1"
    css(browser, "body[data-refreshes='1']")
