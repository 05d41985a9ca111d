"""The web app's pages, in process: Starlette's test client over a service with real runs."""

import re
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from runplane import Catalog, Map, Pipeline, PythonTask, metric
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.file_system import FileSystemRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.ui import pages
from runplane.adapters.ui.server import build_app
from runplane.app.queries import RunQueryService
from runplane.app.service import RunService
from runplane.domain.errors import CatalogError
from tests.fakes import DictSecrets, MemoryCatalog

CONFIGURATION = {
    "run_log_store": {"type": "file-system", "config": {"log_folder": ".run_log_store"}},
    "secrets": {"type": "vault", "config": {"url": "http://vault", "token": "s3cr3t-vault"}},
    "catalog": {"type": "s3", "config": {"aws_secret_access_key": "AKIA-hidden"}},
}


def numbers(n: int) -> list[int]:
    Path("out.txt").write_text(f"{n}\n")
    return list(range(-1, n)) if n > 2 else list(range(n))


def double(item: int) -> int:
    print(f"doubling {item}")
    if item < 0:
        print("about to fail", file=sys.stderr)
        raise ValueError("negative item")
    return item * 2


def score(n: int) -> float:
    return n / 10


def demo() -> Pipeline:
    return Pipeline(
        [
            PythonTask(numbers, returns=["xs"], catalog=Catalog(put=["out.txt"])),
            PythonTask(score, returns=[metric("score")]),
            Map(
                "each",
                iterate_on="xs",
                iterate_as="item",
                branch=Pipeline([PythonTask(double, returns=["doubled"])]),
            ),
        ],
        name="demo",
    )


@pytest.fixture
def catalog() -> MemoryCatalog:
    return MemoryCatalog()


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: MemoryCatalog) -> RunService:
    monkeypatch.chdir(tmp_path)
    service = RunService(
        executor=LocalExecutor(),
        run_log_store=FileSystemRunLogStore(),
        catalog=catalog,
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner()},
        configuration=CONFIGURATION,
    )
    for run_id, n, tag in (("good", 2, "nightly"), ("bad", 3, None), ("other", 1, "nightly")):
        Path("p.yaml").write_text(f"n: {n}\n")
        service.run(demo().graph, parameters_file="p.yaml", run_id=run_id, tag=tag)
    return service


@pytest.fixture
def queries(service: RunService, catalog: MemoryCatalog) -> RunQueryService:
    """The read side the UI is given, over the service's store and catalog."""
    return RunQueryService(
        run_log_store=FileSystemRunLogStore(), catalog=catalog, secrets=DictSecrets()
    )


@pytest.fixture
def client(queries: RunQueryService) -> TestClient:
    return TestClient(build_app(queries))


def run_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-run="([^"]+)"', html)


def test_runs_page_lists_newest_first_with_status_and_filters(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert run_ids(page.text) == ["other", "bad", "good"]
    assert '<span class="status fail">fail</span>' in page.text
    assert run_ids(client.get("/?status=fail").text) == ["bad"]
    assert run_ids(client.get("/?tag=nightly").text) == ["other", "good"]
    assert run_ids(client.get("/?text=OTH").text) == ["other"]
    refused = client.get("/?status=failed")
    assert refused.status_code == 400
    assert "valid statuses" in refused.text


def test_runs_page_links_a_retry_to_the_run_it_continues(
    service: RunService, client: TestClient
) -> None:
    service.retry("bad", new_run_id="again", graph=demo().graph)
    row = client.get("/").text.split('<tr data-run="again">')[1].split("</tr>")[0]
    assert '<a href="/runs/bad">bad</a>' in row
    retry = client.get("/runs/again").text
    assert 'id="compare-original" href="/compare?runs=bad,again"' in retry


def test_script_and_styles_are_served(client: TestClient) -> None:
    script = client.get("/static/ui.js")
    assert script.status_code == 200
    assert "liveRefresh" in script.text
    assert client.get("/static/ui.css").status_code == 200


def test_runs_page_pages_through_many_runs(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    first, second = client.get("/").text, client.get("/?page=2").text
    assert run_ids(first) == ["other", "bad"]
    assert run_ids(second) == ["good"]
    assert "page 1 of 2" in first
    assert 'rel="next"' in first
    assert 'rel="next"' not in second


def test_run_page_draws_the_graph_coloured_by_status_and_lists_steps(client: TestClient) -> None:
    page = client.get("/runs/bad")
    assert page.status_code == 200
    assert 'id="run-status">fail<' in page.text
    # A box per iteration of the map, each in its own status: which one failed shows.
    drawn = re.findall(r'data-path="(each\.[^"]+)" data-kind="task" data-status="(\w+)"', page.text)
    assert drawn == [
        ("each.0.double", "fail"),
        ("each.1.double", "success"),
        ("each.2.double", "success"),
        ("each.3.double", "success"),
    ]
    assert '<text class="branch-label" x="' in page.text
    assert ">item 0</text>" in page.text
    assert 'data-path="numbers" data-kind="task" data-status="success"' in page.text
    assert "each.0.double" in page.text  # iterations in the steps table
    assert client.get("/runs/nope").status_code == 404


def test_run_page_says_which_iteration_failed(client: TestClient) -> None:
    page = client.get("/runs/bad").text
    chips = page.split('<p class="chips" data-step="each">')[1].split("</p>")[0]
    found = re.findall(r'<a class="status (\w+)"[^>]*href="\?step=([^"]+)">(\w+)</a>', chips)
    assert found == [
        ("fail", "each.0.double", "0"),
        ("success", "each.1.double", "1"),
        ("success", "each.2.double", "2"),
        ("success", "each.3.double", "3"),
    ]


def test_step_panel_shows_attempt_output_error_and_traceback(client: TestClient) -> None:
    page = client.get("/runs/bad", params={"step": "each.0.double"}).text
    panel = page[page.index('id="step-panel"') :]
    assert "doubling -1" in panel  # captured stdout
    assert "about to fail" in panel  # and stderr
    assert "negative item" in panel
    assert 'class="traceback"' in panel
    assert "ValueError" in panel
    assert client.get("/runs/bad", params={"step": "nope"}).status_code == 404


def test_step_panel_survives_output_lost_from_the_catalog(
    queries: RunQueryService, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lost(run_id: str, step_path: str, attempt: int | None = None) -> str:
        raise CatalogError(f"no file logs/{step_path}/attempt-{attempt}.log in run {run_id}")

    monkeypatch.setattr(queries, "step_output", lost)
    page = client.get("/runs/bad", params={"step": "each.0.double"})
    assert page.status_code == 200
    assert "(output unavailable: no file logs/each.0.double/attempt-1.log in run bad)" in page.text
    assert "negative item" in page.text  # the rest of the panel is there


def test_step_panel_shows_returns_metrics_and_catalog_files(client: TestClient) -> None:
    numbers_panel = client.get("/runs/good", params={"step": "numbers"}).text
    assert "put out.txt" in numbers_panel
    assert "[0, 1]" in numbers_panel
    score_panel = client.get("/runs/good", params={"step": "score"}).text
    assert "<h3>metrics</h3>" in score_panel
    assert "<th>score</th><td>0.2</td>" in score_panel


def test_configuration_shown_without_secrets(client: TestClient) -> None:
    page = client.get("/runs/good").text
    assert "run_log_store.type" in page
    assert "s3cr3t-vault" not in page
    assert "AKIA-hidden" not in page
    assert "secrets.config.token</th><td>(hidden)" in page
    assert "secrets.type</th><td>&#34;vault&#34;" in page  # the adapter's name is no secret
    assert "catalog.config.aws_secret_access_key</th><td>(hidden)" in page


def test_configuration_hides_everything_under_a_secret_like_key() -> None:
    rows = dict(pages.configuration_rows({"s3": {"credentials": {"user": "u", "pw": "p"}}}))
    assert rows == {"s3.credentials.user": "(hidden)", "s3.credentials.pw": "(hidden)"}


def test_compare_highlights_what_differs(client: TestClient) -> None:
    page = client.get("/compare", params={"runs": "good,other"})
    assert page.status_code == 200
    found = re.findall(r'<tr class="(differs|same)"><th>([^<]+)</th>', page.text)
    flags = {key: flag for flag, key in found}
    assert flags["n"] == "differs"
    assert flags["score.score"] == "differs"
    assert flags["out.txt"] == "differs"
    # Only the cells that differ from the first run's value are marked.
    n_row = page.text.split('<tr class="differs"><th>n</th>')[1].split("</tr>")[0]
    assert n_row == '<td>2</td><td class="changed">1</td>'
    assert client.get("/compare", params={"runs": "good"}).status_code == 400
    assert client.get("/compare", params={"runs": "good,nope"}).status_code == 404


def test_compare_marks_equal_values_as_same(client: TestClient) -> None:
    page = client.get("/compare", params={"runs": "good,good"}).text
    assert 'class="differs"' not in page
    assert '<tr class="same"><th>n</th>' in page


def test_metrics_page_plots_a_metric_over_runs_oldest_first(client: TestClient) -> None:
    page = client.get("/metrics", params={"pipeline": "demo", "metric": "score.score"}).text
    assert re.findall(r'data-run="([^"]+)"', page) == ["good", "bad", "other"]
    assert "<title>good [nightly]: 0.2" in page
    labels = re.findall(r'<text class="x-label"[^>]*>([^<]+)</text>', page)
    assert labels[0] == labels[2] == "nightly"  # a run's tag, else its start
    assert re.fullmatch(r"\d\d-\d\d \d\d:\d\d", labels[1])
    by_time = client.get(
        "/metrics", params={"pipeline": "demo", "metric": "score.score", "by": "time"}
    ).text
    assert '<option value="time" selected>' in by_time
    choices = client.get("/metrics", params={"pipeline": "demo"}).text
    assert "<option>score.score</option>" in choices


def test_pages_of_a_running_run_refresh_themselves(service: RunService, client: TestClient) -> None:
    assert 'data-live="1"' not in client.get("/runs/good").text
    assert 'data-live="1"' not in client.get("/").text
    service.start_run(demo().graph, run_id="open")  # recorded, not run: still processing
    page = client.get("/runs/open").text
    assert 'id="run-status">processing<' in page
    assert 'data-live="1"' in page
    assert 'data-live="1"' in client.get("/").text


def test_a_loopback_server_answers_only_requests_for_loopback_names(
    queries: RunQueryService,
) -> None:
    web = build_app(queries, hosts=["localhost", "127.0.0.1"])
    assert TestClient(web, base_url="http://127.0.0.1:8265").get("/").status_code == 200
    # A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) gets nothing.
    assert TestClient(web, base_url="http://attacker.example").get("/").status_code == 400


def test_token_is_required_when_given(queries: RunQueryService) -> None:
    guarded = TestClient(build_app(queries, token="open-sesame"))
    assert guarded.get("/").status_code == 401
    assert guarded.get("/", params={"token": "wrong"}).status_code == 401
    assert guarded.get("/", headers={"Authorization": "Bearer open-sesame"}).status_code == 200
    entered = guarded.get("/", params={"token": "open-sesame"})
    assert entered.status_code == 200
    # The cookie set on entry lets links inside the app work without the token.
    assert guarded.get("/runs/good").status_code == 200
