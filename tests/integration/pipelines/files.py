"""Four steps passing files through the catalog; contents are fixed, so hashes are known."""

from pathlib import Path

from runplane import Catalog, Pipeline, PythonTask

CONTENTS = {
    "raw/a.csv": "a,b\n1,2\n3,4\n",
    "raw/b.csv": "a,b\n5,6\n",
    "blob.bin": "x" * 200_000,
}


def make() -> int:
    for name, text in CONTENTS.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(text)
    return len(CONTENTS)


def total(count: int) -> int:
    rows = [line for p in sorted(Path("raw").glob("*.csv")) for line in p.read_text().split()[1:]]
    Path("sums.txt").write_text("\n".join(rows))
    return count + sum(int(v) for row in rows for v in row.split(","))


def check(summed: int) -> int:
    assert Path("blob.bin").read_text() == CONTENTS["blob.bin"]
    return summed + len(Path("sums.txt").read_text())


pipeline = Pipeline(
    [
        PythonTask(make, returns=["count"], catalog=Catalog(put=["raw", "blob.bin"])),
        PythonTask(total, returns=["summed"], catalog=Catalog(get=["raw/*.csv"], put=["sums.txt"])),
        PythonTask(check, returns=["checked"], catalog=Catalog(get=["blob.bin", "sums.txt"])),
    ]
)
