"""A map inside one branch of a parallel step, a plain step in the other."""

from runplane import Map, Parallel, Pipeline, PythonTask


def cube(n: int) -> int:
    return n**3


def greet(seed: int) -> str:
    return f"hi {seed}"


def combine(cubes: list[int], greeting: str) -> str:
    return f"{greeting}: {sum(cubes)}"


pipeline = Pipeline(
    [
        Parallel(
            "par",
            branches={
                "a": Pipeline(
                    [
                        Map(
                            "inner",
                            iterate_on="numbers",
                            iterate_as="n",
                            branch=Pipeline([PythonTask(cube, returns=["cubes"])]),
                        )
                    ]
                ),
                "b": Pipeline([PythonTask(greet, returns=["greeting"])]),
            },
        ),
        PythonTask(combine, returns=["summary"]),
    ],
    name="nested",
)
