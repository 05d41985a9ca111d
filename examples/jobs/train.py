"""A job: one training function, with parameters, returns, a file kept in the catalog.

python train.py                       # or: runplane job train.py -p params.yaml
"""

from pathlib import Path

from runplane import Catalog, PythonJob, metric


def train(learning_rate: float, epochs: int = 3) -> tuple[float, float]:
    loss = 1.0
    for _ in range(epochs):
        loss *= 1 - learning_rate
    Path("model.txt").write_text(f"weights after {epochs} epochs\n")
    return round(1 - loss, 4), round(loss, 4)


job = PythonJob(
    train,
    returns=["accuracy", metric("loss")],
    catalog=Catalog(put=["model.txt"]),
)

if __name__ == "__main__":
    run = job.execute(parameters_file=str(Path(__file__).with_name("params.yaml")))
    print(run.steps["train"].returns, run.steps["train"].metrics)
