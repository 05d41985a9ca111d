"""Fan out over files: one branch per file counts its words; a reducer sums the counts.

runplane run examples/map_files/pipeline.py
"""

from pathlib import Path

from runplane import Catalog, Map, Pipeline, PythonTask

TEXTS = {
    "a.txt": "the quick brown fox",
    "b.txt": "jumps over\nthe lazy dog",
    "c.txt": "and runs away",
}


def write_files() -> list[str]:
    """Write the input files and return their names."""
    Path("texts").mkdir(exist_ok=True)
    for name, text in TEXTS.items():
        Path("texts", name).write_text(text)
    return sorted(f"texts/{name}" for name in TEXTS)


def count_words(file: str) -> int:
    """Count the words of one file (brought back by the catalog)."""
    return len(Path(file).read_text().split())


pipeline = Pipeline(
    [
        PythonTask(write_files, returns=["files"], catalog=Catalog(put=["texts"])),
        Map(
            "per_file",
            iterate_on="files",
            iterate_as="file",
            branch=Pipeline(
                [PythonTask(count_words, returns=["words"], catalog=Catalog(get=["texts"]))]
            ),
            reducer="sum",
        ),
        PythonTask(lambda words: words == 12, name="check_total", returns=["total_ok"]),
    ],
    name="map-files",
)

if __name__ == "__main__":
    pipeline.execute()
