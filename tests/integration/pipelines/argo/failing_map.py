"""One map iteration fails: the map fails, its on_failure handler runs, the run fails."""

from runplane import Map, Pipeline, PythonTask, Stub


def check(item: int) -> int:
    if item == 2:
        raise ValueError(f"item {item} is bad")
    return item


pipeline = Pipeline(
    [
        Map(
            "m",
            iterate_on="numbers",
            iterate_as="item",
            branch=Pipeline([PythonTask(check, returns=["checked"])]),
            on_failure=Pipeline([Stub("cleanup")]),
        ),
        Stub("after"),
    ],
    name="failing map",
)
