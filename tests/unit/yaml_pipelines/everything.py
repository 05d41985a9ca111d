"""Every node type and option, written with the SDK; everything.yaml is the same pipeline."""

# The loader puts this folder on sys.path when it imports the file; mypy cannot know that.
from yaml_steps import notify, prepare, square, total  # type: ignore[import-not-found]

from runplane import (
    Catalog,
    Conditional,
    Fail,
    Map,
    NotebookTask,
    Parallel,
    Pipeline,
    PythonTask,
    ShellTask,
    Stub,
    Success,
    metric,
)

pipeline = Pipeline(
    name="everything",
    steps=[
        PythonTask(
            prepare,
            returns=["items", "mode"],
            secrets=["token"],
            max_attempts=3,
            catalog=Catalog(put=["out/*.csv"]),
            on_failure=Pipeline([PythonTask(notify, name="tell"), Success("recovered")]),
        ),
        Map(
            "squares",
            iterate_on="items",
            iterate_as="item",
            reducer=total,
            branch=Pipeline([PythonTask(square, returns=["sq"]), Stub("noop")]),
        ),
        Parallel(
            "both",
            branches={
                "a": Pipeline([ShellTask("echo a", name="say", returns=[metric("m")])]),
                "b": Pipeline(
                    [
                        NotebookTask(
                            "report.ipynb",
                            name="nb",
                            returns=["x"],
                            executed_as="reports/{branch}-report.ipynb",
                        )
                    ]
                ),
            },
            on_failure=PythonTask(notify, name="tell_both"),
        ),
        Conditional(
            "pick",
            parameter="mode",
            default="fast",
            branches={
                "fast": Pipeline([Stub("quick")], name="fast-branch"),
                "slow": Pipeline([Stub("long"), Fail("given_up")]),
            },
        ),
        Success(),
    ],
)
