"""Listing runs with and without the summary index of the folder stores, and the UI's runs page.

    python benchmarks/runs_index.py [--runs 10000] [--repeat 5]

Fills a scratch file-system store with runs whose headers look like real ones (see
runs_list.py), then times, median of `--repeat`:
- reading every header, as `list_runs` did before the index (the baseline),
- `store.list_runs()` with the index current (one file, plus a stat per run),
- `store.list_runs()` after one run's header changed (that header is read again),
- `store.list_runs()` with no index (it is rebuilt: the baseline plus writing it),
- the web app's runs page (`GET /`, first page, 50 rows) and a filtered one, in process.
Prints the ratios baseline / indexed.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from runs_list import fill  # benchmarks/ is the script's folder

from runplane.adapters._shared import run_index
from runplane.adapters._shared.run_records import read_record, run_header
from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.run_log import RunSummary, Status


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of `action`.

    CPU time (all threads of this process) is the figure to compare on a shared machine:
    wall-clock time there mostly measures the other processes.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def unindexed(root: Path) -> list[RunSummary]:
    """What `list_runs` did before the index: decode every run's header."""
    runs = []
    for folder in root.iterdir():
        path = folder / "run.json"
        if not folder.name.startswith(".") and path.is_file():
            runs.append(run_header(read_record(path), path).summary())
    return sorted(runs, key=lambda r: r.start_time, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch, "logs")
        fill(root, args.runs)
        store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(root)))
        index = root / run_index.INDEX
        assert len(store.list_runs()) == args.runs  # writes the index

        changed = [0]

        def one_changed() -> list[RunSummary]:
            changed[0] += 1
            first = store.get_run("run-00007")
            status = Status.FAIL if changed[0] % 2 else Status.SUCCESS
            store.update_run(replace(first, status=status))
            return store.list_runs()

        def rebuilt() -> list[RunSummary]:
            index.unlink(missing_ok=True)
            return store.list_runs()

        rows: list[tuple[str, tuple[float, float]]] = [
            ("every header read (before the index)", timed(lambda: unindexed(root), args.repeat)),
            ("list_runs, index current", timed(store.list_runs, args.repeat)),
            ("list_runs, one header changed since", timed(one_changed, args.repeat)),
            ("list_runs, no index (rebuilt)", timed(rebuilt, args.repeat)),
        ]
        rows += ui_rows(root, args.repeat)
        base_cpu = rows[0][1][1]
        print(f"| what ({args.runs} runs) | wall s | CPU s | baseline / this (CPU) |")
        print("|---|---|---|---|")
        for label, (wall, cpu) in rows:
            print(f"| {label} | {wall:.3f} | {cpu:.3f} | {base_cpu / cpu:.1f}x |")


def ui_rows(root: Path, repeat: int) -> list[tuple[str, tuple[float, float]]]:
    """The runs page in process, over the read side (skipped without the ui extra)."""
    try:
        from starlette.testclient import TestClient  # noqa: PLC0415

        from runplane.adapters.ui.server import build_app  # noqa: PLC0415
    except ImportError:
        return []
    from runplane.adapters.catalogs.do_nothing import DoNothingCatalog  # noqa: PLC0415
    from runplane.adapters.secrets.do_nothing import DoNothingSecrets  # noqa: PLC0415
    from runplane.app.queries import RunQueryService  # noqa: PLC0415

    store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(root)))
    queries = RunQueryService(
        run_log_store=store, catalog=DoNothingCatalog(), secrets=DoNothingSecrets()
    )
    client = TestClient(build_app(queries))
    assert client.get("/").status_code == 200
    return [
        ("UI runs page GET / (50 rows)", timed(lambda: client.get("/"), repeat)),
        (
            "UI runs page, status=fail&tag=nightly&text=run-0",
            timed(lambda: client.get("/?status=fail&tag=nightly&text=run-0"), repeat),
        ),
    ]


if __name__ == "__main__":
    main()
