"""A notebook step between two Python steps.

Run from this folder (the notebook path is relative to the working directory):

    cd examples/notebook && runplane run pipeline.py

`prepare` writes data/values.txt and returns `scale`; the notebook gets both (the file
through the catalog, `scale` injected into its parameters cell), returns `total` and the
metric `rows`; `report` receives `total`. The executed notebook is kept in the catalog as
analysis-analyse.executed.ipynb.
"""

from pathlib import Path

from runplane import Catalog, NotebookTask, Pipeline, PythonTask, metric


def prepare() -> int:
    Path("data").mkdir(exist_ok=True)
    Path("data/values.txt").write_text("1\n2\n3\n4\n")
    return 10


def report(total: int) -> None:
    print(f"the notebook's scaled total is {total}")


def pipeline() -> Pipeline:
    return Pipeline(
        name="notebook-example",
        steps=[
            PythonTask(prepare, returns=["scale"], catalog=Catalog(put=["data/values.txt"])),
            NotebookTask(
                "analysis.ipynb",
                name="analyse",
                returns=["total", metric("rows")],
                catalog=Catalog(get=["data/values.txt"], put=["data/total.txt"]),
            ),
            PythonTask(report),
        ],
    )


if __name__ == "__main__":
    pipeline().execute()
