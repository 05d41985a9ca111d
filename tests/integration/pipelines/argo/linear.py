"""Three steps in a row: returns, a metric, a file through the catalog, a shell step."""

from pathlib import Path

from runplane import Catalog, Pipeline, PythonTask, ShellTask, metric


def make(seed: int) -> tuple[int, str]:
    return seed * 2, "hello"


def shout(word: str, doubled: int) -> int:
    text = word.upper() * doubled
    Path("out.txt").write_text(text)
    return len(text)


pipeline = Pipeline(
    [
        PythonTask(make, returns=["doubled", "word"]),
        PythonTask(shout, returns=[metric("length")], catalog=Catalog(put=["out.txt"])),
        ShellTask(
            'test "$(cat out.txt)" = HELLOHELLOHELLOHELLO'
            ' && echo checked=yes >> "$RUNPLANE_RETURNS"',
            name="check file",
            returns=["checked"],
            catalog=Catalog(get=["out.txt"]),
        ),
    ],
    name="linear",
)
