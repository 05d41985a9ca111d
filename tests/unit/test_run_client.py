"""`runplane.Run` and `runplane.Runs` over the file-system store and catalog."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import runplane
from runplane import Catalog, Map, Pipeline, PythonTask, metric
from runplane.domain.errors import CatalogError, ExecutionError, RunLogNotFoundError


def make_data() -> tuple[list[int], set[str]]:
    Path("data").mkdir(exist_ok=True)
    Path("data/a.csv").write_text("x\n1\n")
    Path("data/b.csv").write_text("x\n2\n3\n")
    Path("summary.txt").write_text("two files\n")
    print("made the data")
    return [1, 2], {"a", "b"}


def count(item: int) -> tuple[int, float]:
    print(f"counting {item}")
    return item * 10, item / 4


PIPELINE = Pipeline(
    [
        PythonTask(
            make_data,
            returns=["items", "labels"],
            catalog=Catalog(put=["data", "summary.txt"]),
        ),
        Map(
            "per_item",
            iterate_on="items",
            iterate_as="item",
            branch=Pipeline([PythonTask(count, returns=["counted", metric("share")])]),
        ),
    ]
)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "runplane.yaml"
    path.write_text(
        "run_log_store: {type: file-system, config: {log_folder: logs}}\n"
        "catalog: {type: file-system, config: {catalog_location: files}}\n"
    )
    return str(path)


def test_a_run_reads_back_as_objects(config: str) -> None:
    PIPELINE.execute(configuration_file=config, run_id="r1", tag="nightly")
    run = runplane.Run("r1", configuration_file=config)

    assert (run.run_id, run.status, run.tag) == ("r1", "success", "nightly")
    assert run.started is not None
    assert run.duration is not None
    assert run.duration.total_seconds() >= 0
    assert run.parameters["labels"] == {"a", "b"}  # a set travels pickled, comes back a set
    assert run.steps["make_data"].returns["items"] == [1, 2]
    assert run.steps["per_item.1.count"].returns["counted"] == 20
    assert run.steps["per_item.1.count"].metrics == {"share": 0.5}
    assert run.steps["per_item.0.count"].attempts[-1].output == "counting 1\n"
    assert run.steps["make_data"].attempts[0].output == "made the data\n"
    with pytest.raises(KeyError, match="recorded: items, labels"):
        run.steps["make_data"].returns["nope"]


def test_files_open_and_download_give_the_recorded_versions(config: str, tmp_path: Path) -> None:
    PIPELINE.execute(configuration_file=config, run_id="r1")
    run = runplane.Run("r1", configuration_file=config)

    assert {"data/a.csv", "data/b.csv", "summary.txt"} <= set(run.files)
    with run.open("summary.txt") as handle:
        assert handle.read() == "two files\n"
    with run.open("data/b.csv", "rb") as handle:
        assert handle.read() == b"x\n2\n3\n"
    written = run.download("data", tmp_path / "dest")
    assert sorted(p.relative_to(tmp_path / "dest").as_posix() for p in written) == [
        "data/a.csv",
        "data/b.csv",
    ]
    assert (tmp_path / "dest" / "data" / "a.csv").read_text() == "x\n1\n"
    with pytest.raises(CatalogError, match=r"no catalog file 'data'; its files: .*summary\.txt"):
        run.open("data")
    with pytest.raises(CatalogError, match="no catalog file or folder 'nothing'"):
        run.download("nothing", tmp_path / "dest")


def test_an_object_changed_after_the_run_is_refused(config: str, tmp_path: Path) -> None:
    PIPELINE.execute(configuration_file=config, run_id="r1")
    (pickled,) = (tmp_path / "files" / "r1" / "objects").rglob("labels.pickle")
    pickled.write_bytes(pickled.read_bytes() + b"tampered")
    run = runplane.Run("r1", configuration_file=config)  # loading the log loads no object
    assert run.steps["make_data"].returns["items"] == [1, 2]
    with pytest.raises(ExecutionError, match="changed since it was recorded"):
        run.parameters["labels"]


def test_latest_and_runs_pick_the_newest_with_their_criteria(config: str) -> None:
    PIPELINE.execute(configuration_file=config, run_id="old", tag="nightly")
    PIPELINE.execute(configuration_file=config, run_id="new", tag="adhoc")

    assert runplane.Run.latest(configuration_file=config).run_id == "new"
    assert runplane.Run("latest", configuration_file=config).run_id == "new"
    assert runplane.Run.latest(tag="nightly", configuration_file=config).run_id == "old"
    assert [r.run_id for r in runplane.Runs(configuration_file=config)] == ["new", "old"]
    nightly = runplane.Runs(tag="nightly", status="success", since="7d", configuration_file=config)
    assert [r.run_id for r in nightly] == ["old"]
    with pytest.raises(RunLogNotFoundError, match="no run with tag 'weekly' is recorded"):
        runplane.Run.latest(tag="weekly", configuration_file=config)


def test_an_unknown_run_fails_when_named(config: str) -> None:
    with pytest.raises(RunLogNotFoundError, match="run 'nope' not found"):
        runplane.Run("nope", configuration_file=config)


def test_catalog_entries_carry_the_hash_a_download_matches(config: str, tmp_path: Path) -> None:
    PIPELINE.execute(configuration_file=config, run_id="r1")
    run = runplane.Run("r1", configuration_file=config)
    (entry,) = [e for e in run.steps["make_data"].files if e.name == "summary.txt"]
    (path,) = run.download("summary.txt", tmp_path / "out")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256
