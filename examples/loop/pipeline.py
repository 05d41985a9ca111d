"""Refine an estimate until it converges: a do-while loop over a small branch.

runplane run examples/loop/pipeline.py
"""

from runplane import Loop, Pipeline, PythonTask


def refine(iteration: int, estimate: float = 1.0, target: float = 2.0) -> tuple[float, bool]:
    """One Newton step towards sqrt(target); converged when the change is tiny."""
    better = (estimate + target / estimate) / 2
    return better, abs(better - estimate) < 1e-6


pipeline = Pipeline(
    [
        Loop(
            "newton",
            Pipeline([PythonTask(refine, returns=["estimate", "converged"])]),
            break_on="converged",
            max_iterations=20,
        ),
        PythonTask(lambda estimate: round(estimate, 6), name="report", returns=["sqrt2"]),
    ],
    name="loop",
)

if __name__ == "__main__":
    pipeline.execute()
