"""Functions the equivalence pipelines name as `yaml_steps.<function>`."""


def prepare() -> tuple[list[int], str]:
    return [1, 2, 3], "fast"


def square(item: int) -> int:
    return item * item


def total(values: list[int]) -> int:
    return sum(values)


def notify() -> None:
    pass
