"""What durability across a power cut costs: two runplane installations, side by side.

    python benchmarks/durability.py BEFORE_PYTHON AFTER_PYTHON [--repeat 7] [--quick]

Each interpreter has a runplane installed (say, main's tree and this one, each with
`pip install .` in its own venv). Runs alternate between the two within a repetition; a
cell is the median. Measured:

- per step: the linear chain of `scenarios/runplane_linear.py` (10 and 100 steps), execute
  time divided by the steps, on the default `file-system` run log store and on `chunked-fs`,
  in a scratch git repository under the system's temporary folder;
- catalog: `put` of 10,000 files of 4 KB and of one file of 256 MB through the
  `file-system` catalog (durable: synced before it returns), in MB/s.

Prints a markdown table with after/before ratios (for times, above 1 is slower).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
SCENARIOS = HERE / "scenarios"
MB = 1024 * 1024

CATALOG_PUT = """
import json, sys, time
from pathlib import Path
from runplane.adapters.catalogs.file_system import FileSystemCatalog, FileSystemCatalogConfig
work, target, pattern = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
catalog = FileSystemCatalog(FileSystemCatalogConfig(catalog_location=target))
t0 = time.perf_counter()
catalog.put("run", [pattern], work)
print(json.dumps({"put_s": time.perf_counter() - t0}))
"""


def per_step(python: str, home: Path, steps: int, store: str) -> float:
    """ms per step of one run of the linear chain, in a fresh folder of `home`."""
    for name in (".run_log_store", ".catalog"):
        shutil.rmtree(home / name, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(SCENARIOS)}
    if store != "file-system":
        config = home / f"{store}.yaml"
        config.write_text(json.dumps({"run_log_store": {"type": store}}))
        env["BENCH_CONFIG"] = str(config)
    done = subprocess.run(
        [python, str(SCENARIOS / "runplane_linear.py"), str(steps)],
        cwd=home, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("BENCH "))
    return float(json.loads(line[6:])["execute_s"]) * 1000 / steps


def catalog_put(python: str, work: Path, pattern: str, size: int) -> float:
    """MB/s of one durable put of `pattern` from `work`."""
    target = work.parent / "catalog"
    shutil.rmtree(target, ignore_errors=True)
    done = subprocess.run(
        [python, "-c", CATALOG_PUT, str(work), str(target), pattern],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    shutil.rmtree(target, ignore_errors=True)
    return size / MB / float(json.loads(done.stdout)["put_s"])


def make_data(root: Path, small: int, big_mb: int) -> None:
    (root / "small").mkdir(parents=True)
    for i in range(small):
        (root / "small" / f"f{i:05d}.bin").write_bytes(os.urandom(4096))
    with (root / "big.bin").open("wb") as big:
        for _ in range(big_mb):
            big.write(os.urandom(MB))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 repeats, smaller data")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    small, big_mb = (2_000, 64) if args.quick else (10_000, 256)
    pythons = {"before": args.before, "after": args.after}

    with tempfile.TemporaryDirectory(prefix="runplane-durability-") as scratch:
        home = Path(scratch) / "repo"
        home.mkdir()
        subprocess.run(["git", "init", "-q", str(home)], check=True)
        data = Path(scratch) / "data"
        make_data(data, small, big_mb)
        cases = [
            (f"per step, {n} steps, {store} (ms)", lambda p, n=n, s=store: per_step(p, home, n, s))
            for store in ("file-system", "chunked-fs")
            for n in (10, 100)
        ]
        cases += [
            (f"catalog put, {small:,} files of 4 KB (MB/s)",
             lambda p: catalog_put(p, data, "small", small * 4096)),
            (f"catalog put, 1 file of {big_mb} MB (MB/s)",
             lambda p: catalog_put(p, data, "big.bin", big_mb * MB)),
        ]  # fmt: skip
        print("| measure | before | after | after/before |")
        print("|---|---|---|---|")
        for label, measure in cases:
            results: dict[str, list[float]] = {"before": [], "after": []}
            for _ in range(repeat):
                for name, python in pythons.items():
                    results[name].append(measure(python))
            before, after = (statistics.median(results[n]) for n in ("before", "after"))
            print(f"| {label} | {before:,.2f} | {after:,.2f} | {after / before:.2f}x |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
