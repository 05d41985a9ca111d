"""The seed example: one step writes a file and returns values; the next reads both back.

runplane run examples/seed/pipeline.py     # or: python examples/seed/pipeline.py
"""

import os
from pathlib import Path

from runplane import Catalog, Pipeline, PythonTask


def generate() -> tuple[int, int]:
    """Write data.csv, check the secret arrived, return x and y."""
    Path("data.csv").write_text("a,b\n1,2\n3,4\n")
    secret = os.environ["secret_key"]  # given by the secrets port for this step only
    assert secret, "the secret must not be empty"
    return 3, 4


def consume(x: int, y: int) -> None:
    """Read data.csv back and use x and y."""
    rows = Path("data.csv").read_text().splitlines()[1:]
    total = sum(int(a) + int(b) for a, b in (row.split(",") for row in rows))
    print(f"{len(rows)} rows, sum of cells {total}, x * y = {x * y}")


pipeline = Pipeline(
    steps=[
        PythonTask(
            generate,
            returns=["x", "y"],
            secrets=["secret_key"],
            catalog=Catalog(put=["data.csv"]),
        ),
        PythonTask(consume, catalog=Catalog(get=["data.csv"])),
    ],
    name="seed",
)

if __name__ == "__main__":
    pipeline.execute()
