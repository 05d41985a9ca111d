"""The public SDK is a contract: adding a name is a decision, removing one breaks users."""

import runplane


def test_public_names_are_pinned() -> None:
    assert sorted(runplane.__all__) == [
        "Catalog",
        "Conditional",
        "Fail",
        "Loop",
        "Map",
        "NotebookJob",
        "NotebookTask",
        "Parallel",
        "Pipeline",
        "PythonJob",
        "PythonTask",
        "Run",
        "RunFailedError",
        "Runs",
        "ShellJob",
        "ShellTask",
        "Stub",
        "Success",
        "metric",
        "service",
    ]


def test_every_public_name_exists() -> None:
    for name in runplane.__all__:
        assert getattr(runplane, name) is not None
