"""Catalog files and returned objects in the web app: previews and downloads, in process."""

import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from runplane import Catalog, Pipeline, PythonTask
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.file_system import FileSystemRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.ui import files
from runplane.adapters.ui.server import build_app
from runplane.app import masking
from runplane.app.queries import RunQueryService
from runplane.app.service import RunService
from tests.fakes import DictSecrets, MemoryCatalog

SECRET = "hunter2-very-secret"


def write() -> set[int]:
    key = os.environ["api_key"]
    Path("table.csv").write_text(f"name,value\nalpha,1\nkey,{key}\n")
    Path("notes.txt").write_text("".join(f"line {i}\n" for i in range(1000)))
    Path("blob.bin").write_bytes(bytes(range(256)))
    Path("page.html").write_text("<script>alert(1)</script>")
    return {1, 2, 3}  # not JSON: travels as a pickle


@pytest.fixture
def catalog() -> MemoryCatalog:
    return MemoryCatalog()


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: MemoryCatalog) -> TestClient:
    monkeypatch.chdir(tmp_path)
    task = PythonTask(
        write,
        returns=["numbers"],
        secrets=["api_key"],
        catalog=Catalog(put=["table.csv", "notes.txt", "blob.bin", "page.html"]),
    )
    RunService(
        executor=LocalExecutor(),
        run_log_store=FileSystemRunLogStore(),
        catalog=catalog,
        secrets=DictSecrets({"api_key": SECRET}),
        task_runners={"python": PythonTaskRunner()},
    ).run(Pipeline([task], name="files").graph, run_id="r")
    # A fresh UI process knows no secret yet: the query side must look them up to mask.
    masking.forget_all()
    queries = RunQueryService(
        run_log_store=FileSystemRunLogStore(),
        catalog=catalog,
        secrets=DictSecrets({"api_key": SECRET}),
    )
    return TestClient(build_app(queries))


def get_file(client: TestClient, name: str, **more: str) -> Any:
    return client.get("/runs/r/file", params={"step": "write", "name": name, **more})


def test_step_panel_links_previews_and_downloads(client: TestClient) -> None:
    panel = client.get("/runs/r", params={"step": "write"}).text
    assert 'href="/runs/r/file?step=write&amp;name=table.csv">preview</a>' in panel
    assert 'href="/runs/r/file?step=write&amp;name=table.csv&amp;download=1">download' in panel
    assert 'href="/runs/r/object?step=write&amp;name=numbers">download</a>' in panel


def test_csv_preview_is_a_table_with_secrets_masked(client: TestClient) -> None:
    page = get_file(client, "table.csv")
    assert page.status_code == 200
    assert "<th>name</th><th>value</th>" in page.text
    assert "<td>alpha</td><td>1</td>" in page.text
    assert SECRET not in page.text
    assert "<td>key</td><td>***</td>" in page.text
    assert 'id="truncated"' not in page.text


def test_text_preview_shows_the_first_lines_only(client: TestClient) -> None:
    page = get_file(client, "notes.txt").text
    assert "line 0\nline 1\n" in page
    assert f"line {files.PREVIEW_LINES - 1}</pre>" in page
    assert f"line {files.PREVIEW_LINES}" not in page
    assert 'id="truncated"' in page


def test_text_preview_reads_at_most_the_size_cap(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "PREVIEW_BYTES", 24)  # "line 0\n" .. "line 2\nlin"
    page = get_file(client, "notes.txt").text
    assert "line 2" in page
    assert "lin</pre>" not in page  # nor the partial last line
    assert 'id="truncated"' in page


def test_binary_file_is_not_previewed_but_downloads_exactly(client: TestClient) -> None:
    assert "not text: download it" in get_file(client, "blob.bin").text
    got = get_file(client, "blob.bin", download="1")
    assert got.status_code == 200
    assert got.content == bytes(range(256))
    assert 'attachment; filename="blob.bin"' in got.headers["content-disposition"]


def test_a_downloaded_page_is_never_rendered_by_the_browser(client: TestClient) -> None:
    got = get_file(client, "page.html", download="1")
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-content-type-options"] == "nosniff"
    preview = get_file(client, "page.html").text
    assert "<script>alert(1)</script>" not in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview


def test_returned_object_downloads_as_its_pickle(client: TestClient) -> None:
    got = client.get("/runs/r/object", params={"step": "write", "name": "numbers"})
    assert got.status_code == 200
    assert pickle.loads(got.content) == {1, 2, 3}
    assert 'filename="numbers.pickle"' in got.headers["content-disposition"]


def test_unknown_files_objects_and_changed_versions_say_what_is_wrong(
    client: TestClient, catalog: MemoryCatalog
) -> None:
    missing = get_file(client, "nope.csv")
    assert missing.status_code == 404
    assert "has no file &#39;nope.csv&#39;; files: blob.bin, notes.txt" in missing.text
    assert client.get("/runs/r/object", params={"step": "write", "name": "x"}).status_code == 404
    assert client.get("/runs/zz/file", params={"step": "write", "name": "a"}).status_code == 404
    for sha in list(catalog.versions):  # the recorded bytes changed under the run
        catalog.versions[sha] = b"tampered"
    changed = get_file(client, "table.csv", download="1")
    assert changed.status_code == 409
    assert "changed or was corrupted" in changed.text
