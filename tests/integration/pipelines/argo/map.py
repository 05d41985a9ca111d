"""A map over a list made by the step before it; each iteration runs two steps."""

from runplane import Map, Pipeline, PythonTask


def numbers(count: int) -> list[int]:
    return list(range(1, count + 1))


def square(item: int) -> int:
    return item * item


def label(squared: int, item: int) -> str:
    return f"{item}^2={squared}"


def total(squared: list[int]) -> int:
    return sum(squared)


pipeline = Pipeline(
    [
        PythonTask(numbers, returns=["items"]),
        Map(
            "each item",
            iterate_on="items",
            iterate_as="item",
            branch=Pipeline(
                [PythonTask(square, returns=["squared"]), PythonTask(label, returns=["labels"])]
            ),
        ),
        PythonTask(total, returns=["sum"]),
    ],
    name="map",
)
