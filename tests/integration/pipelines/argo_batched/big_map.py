"""A map over `size` items (1,000 by default) whose task names the argo override `batched`."""

from runplane import Map, Pipeline, PythonTask


def numbers(size: int = 1000) -> list[int]:
    return list(range(size))


def double(item: int) -> int:
    return item * 2


def total(doubled: int) -> str:
    return f"total {doubled}"


pipeline = Pipeline(
    [
        PythonTask(numbers, returns=["items"]),
        Map(
            "big",
            iterate_on="items",
            iterate_as="item",
            branch=Pipeline(
                [PythonTask(double, returns=["doubled"], overrides={"argo": "batched"})]
            ),
            reducer="sum",
        ),
        PythonTask(total, returns=["message"]),
    ],
    name="big map",
)
