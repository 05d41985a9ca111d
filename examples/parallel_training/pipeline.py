"""Train two models side by side on the same data, then keep the better one.

runplane run examples/parallel_training/pipeline.py -p examples/parallel_training/params.yaml
"""

import json
from pathlib import Path

from runplane import Catalog, Parallel, Pipeline, PythonTask, metric


def prepare(n_points: int) -> None:
    """Write a tiny data set: y = 2x + 1 with a wobble."""
    rows = [(x, 2 * x + 1 + (0.5 if x % 2 else -0.5)) for x in range(n_points)]
    Path("train.json").write_text(json.dumps(rows))


def _rows() -> list[tuple[float, float]]:
    return [tuple(r) for r in json.loads(Path("train.json").read_text())]


def train_mean() -> tuple[float, float]:
    """A baseline: predict the mean of y."""
    ys = [y for _, y in _rows()]
    mean = sum(ys) / len(ys)
    return mean, sum((y - mean) ** 2 for y in ys) / len(ys)


def train_linear() -> tuple[list[float], float]:
    """Least squares fit of y = a x + b."""
    rows = _rows()
    n = len(rows)
    mx = sum(x for x, _ in rows) / n
    my = sum(y for _, y in rows) / n
    a = sum((x - mx) * (y - my) for x, y in rows) / sum((x - mx) ** 2 for x, _ in rows)
    b = my - a * mx
    return [a, b], sum((y - (a * x + b)) ** 2 for x, y in rows) / n


def pick(mean_mse: float, linear_mse: float) -> str:
    """Keep the model with the lower error."""
    return "linear" if linear_mse < mean_mse else "mean"


pipeline = Pipeline(
    [
        PythonTask(prepare, catalog=Catalog(put=["train.json"])),
        Parallel(
            "train",
            branches={
                "mean": Pipeline(
                    [
                        PythonTask(
                            train_mean,
                            returns=["mean_model", metric("mean_mse")],
                            catalog=Catalog(get=["train.json"]),
                        ),
                        PythonTask(lambda: None, name="report_mean"),
                    ]
                ),
                "linear": Pipeline(
                    [
                        PythonTask(
                            train_linear,
                            returns=["linear_model", "linear_mse"],
                            catalog=Catalog(get=["train.json"]),
                        )
                    ]
                ),
            },
        ),
        PythonTask(
            lambda linear_mse: linear_mse < 1.0, name="check_linear", returns=["good_enough"]
        ),
    ],
    name="parallel-training",
)

if __name__ == "__main__":
    pipeline.execute(parameters_file=str(Path(__file__).with_name("params.yaml")))
