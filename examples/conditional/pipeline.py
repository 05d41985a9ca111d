"""Choose a branch by a value: a quick path for small inputs, a thorough one otherwise.

runplane run examples/conditional/pipeline.py
RUNPLANE_PRM_size=5000 runplane run examples/conditional/pipeline.py
"""

from runplane import Conditional, Pipeline, PythonTask, ShellTask


def measure(size: int = 10) -> str:
    """Decide the mode from the input size."""
    return "quick" if size < 1000 else "thorough"


pipeline = Pipeline(
    [
        PythonTask(measure, returns=["mode"]),
        Conditional(
            "process",
            parameter="mode",
            branches={
                "quick": Pipeline([PythonTask(lambda: 1, name="sample", returns=["passes"])]),
                "thorough": Pipeline(
                    [
                        ShellTask(
                            'echo "passes=3" > "$RUNPLANE_RETURNS"',
                            name="full_scan",
                            returns=["passes"],
                        )
                    ]
                ),
            },
        ),
    ],
    name="conditional",
)

if __name__ == "__main__":
    pipeline.execute()
