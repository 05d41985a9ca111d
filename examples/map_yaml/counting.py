"""The functions of the map example; pipeline.py and pipeline.yaml both use them."""

from pathlib import Path

TEXTS = {"a.txt": "one\n", "b.txt": "one\ntwo\n", "c.txt": "one\ntwo\nthree\n"}


def generate() -> tuple[list[str], int]:
    """Write a few text files; return their paths and, as a metric, how many there are."""
    Path("data").mkdir(exist_ok=True)
    for name, text in TEXTS.items():
        Path("data", name).write_text(text)
    return sorted(f"data/{name}" for name in TEXTS), len(TEXTS)


def count_lines(file: str) -> int:
    """The number of lines of one file (each map iteration gets its own `file`)."""
    return len(Path(file).read_text().splitlines())


def report(files: list[str], lines: int) -> None:
    """`lines` is the sum over the iterations (the map's reducer)."""
    print(f"{len(files)} files, {lines} lines")
