"""Pure rules for choosing runs and comparing them."""

import pytest

from runplane.domain.errors import ParameterError
from runplane.domain.run_diff import MISSING, diff_runs
from runplane.domain.run_log import CatalogEntry, RunLog, RunSummary, Status, StepLog
from runplane.domain.run_query import RunQuery, since_instant

NOW = "2026-03-10T12:00:00+00:00"


def summary(run_id: str, start: str, status: Status = Status.SUCCESS) -> RunSummary:
    return RunSummary(run_id, None, status, start, None, None)


@pytest.mark.parametrize(
    ("text", "cutoff"),
    [
        ("2d", "2026-03-08T12:00:00+00:00"),
        ("6h", "2026-03-10T06:00:00+00:00"),
        ("30m", "2026-03-10T11:30:00+00:00"),
        ("1w", "2026-03-03T12:00:00+00:00"),
        ("2026-03-01", "2026-03-01T00:00:00+00:00"),
    ],
)
def test_since_accepts_ages_and_dates(text: str, cutoff: str) -> None:
    assert since_instant(text, NOW) == cutoff


def test_since_rejects_other_text_naming_valid_forms() -> None:
    with pytest.raises(ParameterError, match=r"'3 days'.*2d, 6h, 30m, 1w.*2026-01-31"):
        since_instant("3 days", NOW)


def test_query_compares_instants_not_text_across_time_zones() -> None:
    query = RunQuery(since="2026-03-10T11:00:00+00:00")
    # 12:30 at +02:00 is 10:30 UTC: before the cutoff although its text sorts after it.
    assert not query.matches(summary("r", "2026-03-10T12:30:00+02:00"))
    assert query.matches(summary("r", "2026-03-10T11:00:00+00:00"))


def test_query_sorts_newest_first_and_cuts_at_limit() -> None:
    runs = [summary(f"r{i}", f"2026-03-0{i}T00:00:00+00:00") for i in range(1, 6)]
    picked = RunQuery(status=Status.SUCCESS, limit=2).select(runs)
    assert [r.run_id for r in picked] == ["r5", "r4"]


def test_limit_below_one_is_refused() -> None:
    with pytest.raises(ParameterError, match="at least 1, got 0"):
        RunQuery(limit=0)


def run(run_id: str, parameters: dict[str, object], sha: str, accuracy: float) -> RunLog:
    step = StepLog(
        "train",
        "task",
        Status.SUCCESS,
        metrics={"accuracy": accuracy},
        data_catalog=[
            CatalogEntry("model.pkl", "put", sha, 1),
            CatalogEntry("data.csv", "get", sha, 1),
        ],
    )
    return RunLog(run_id, Status.SUCCESS, NOW, parameters=parameters, steps={"train": step})


def test_diff_marks_keys_one_run_lacks_and_ignores_equal_ones() -> None:
    before = run("a", {"lr": 0.1, "same": 1, "gone": True}, "aa", 0.8)
    after = run("b", {"lr": 0.2, "same": 1, "new": "x"}, "bb", 0.8)
    diff = diff_runs(before, after)
    assert [(c.key, c.before, c.after) for c in diff.parameters] == [
        ("gone", True, MISSING),
        ("lr", 0.1, 0.2),
        ("new", MISSING, "x"),
    ]
    assert diff.metrics == []
    assert [c.key for c in diff.catalog] == ["train:model.pkl"]  # gets repeat puts
    assert diff.to_dict()["parameters"][0] == {
        "key": "gone",
        "before": True,
        "after": None,
        "before_missing": False,
        "after_missing": True,
    }
