"""The suite's file scenarios: catalog throughput against cp + sha256sum, `runs list`, fsync."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from runplane.adapters.catalogs.file_system import FileSystemCatalog, FileSystemCatalogConfig

MB = 1024 * 1024


def make_files(folder: Path, count: int, size: int) -> None:
    """`count` files of `size` random-looking bytes (incompressible, distinct)."""
    folder.mkdir(parents=True, exist_ok=True)
    block = os.urandom(min(size, 4 * MB))
    for i in range(count):
        with (folder / f"f{i:05d}.bin").open("wb") as f:
            written = 0
            while written < size:
                piece = block[: size - written]
                f.write(i.to_bytes(8, "little") + piece[8:] if written == 0 else piece)
                written += len(piece)


def fsync_latency_ms(folder: Path, count: int = 50) -> float:
    path = folder / ".fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    times = []
    try:
        for _ in range(count):
            os.write(fd, b"x" * 300 + b"\n")
            t0 = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - t0)
    finally:
        os.close(fd)
        path.unlink()
    return statistics.median(times) * 1000


def _runplane_round_trip(data: Path, name: str, out: Path) -> float:
    catalog = FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(out / "catalog")))
    t0 = time.perf_counter()
    put = catalog.put("bench-run", [f"{name}/*"], data)
    got = catalog.get("bench-run", [f"{name}/*"], out / "back")
    elapsed = time.perf_counter() - t0
    assert [e.sha256 for e in put] == [e.sha256 for e in got]
    return elapsed


def _raw_round_trip(data: Path, name: str, out: Path) -> float:
    t0 = time.perf_counter()
    for source, target in ((data / name, out / "raw1"), (out / "raw1", out / "raw2")):
        subprocess.run(["cp", "-r", str(source), str(target)], check=True)
        files = sorted(str(p) for p in target.iterdir())
        subprocess.run(
            ["xargs", "-0", "sha256sum"],
            input="\0".join(files).encode(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return time.perf_counter() - t0


def catalog_rows(
    data: Path, work: Path, repeat: int, big_mb: int, small_count: int
) -> list[list[str]]:
    """Put + get (runplane) against cp + sha256sum twice (raw), alternating."""
    rows = []
    for name, label, size in (
        ("big", f"1 file of {big_mb:,} MB", big_mb * MB),
        ("small", f"{small_count:,} files of 4 KB", small_count * 4096),
    ):
        ours, raw = [], []
        for _ in range(repeat):
            for runner, times in ((_runplane_round_trip, ours), (_raw_round_trip, raw)):
                out = work / "catalog-out"
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                times.append(runner(data, name, out))
                shutil.rmtree(out, ignore_errors=True)
        ours_mbs = size / MB / statistics.median(ours)
        raw_mbs = size / MB / statistics.median(raw)
        rows.append([label, f"{ours_mbs:,.0f}", f"{raw_mbs:,.0f}", f"{ours_mbs / raw_mbs:.2f}x"])
    return rows


def runs_list_rows(python: str, work: Path, count: int, repeat: int) -> list[list[str]]:
    """`runplane runs list` over `count` recorded runs (copies of one real 10-step run)."""
    home = work / "runs-list"
    home.mkdir()
    try:
        subprocess.run(
            [python, str(work / "runplane_linear.py"), "10"],
            cwd=home,
            env={**os.environ, "PYTHONPATH": str(work)},
            check=True,
            capture_output=True,
        )
        store = home / ".run_log_store"
        # The scenario runs its pipeline twice: keep one run as the template.
        template, *others = sorted(store.iterdir())
        for other in others:
            shutil.rmtree(other)
        header = json.loads((template / "run.json").read_text())
        for i in range(count - 1):
            copy = store / f"run-{i:05d}"
            shutil.copytree(template, copy)
            header.update(
                run_id=copy.name, start_time=f"2026-01-01T00:00:{i % 60:02d}.{i:06d}+00:00"
            )
            (copy / "run.json").write_text(json.dumps(header))
        runplane = str(Path(python).with_name("runplane"))
        times = []
        for _ in range(repeat):
            if sum(times) > 60:
                break
            t0 = time.perf_counter()
            done = subprocess.run(
                [runplane, "runs", "list"], cwd=home, capture_output=True, check=True
            )
            times.append(time.perf_counter() - t0)
        assert done.stdout.count(b"\n") >= count, "runs list printed fewer runs than recorded"
    finally:
        shutil.rmtree(home, ignore_errors=True)
    median = statistics.median(times)
    return [
        [
            f"`runplane runs list` over {count:,} runs (wall, median of {len(times)})",
            f"{median:.2f} s",
            f"{median / count * 1000:.2f} ms per run",
        ],
    ]
