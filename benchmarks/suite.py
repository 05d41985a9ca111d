"""runplane against runnable 0.50.0 and Kedro 1.7.0, scenario by scenario, in one script.

    python benchmarks/suite.py [--quick] [--bench-dir .bench] [--budget 90] [--out FILE]

`make bench` creates the reference environments (.bench/runnable, .bench/kedro) and runs
this. Every run is a fresh process of its framework's own interpreter, started in a scratch
git repository (runnable records git identity on every step) whose run log and catalog
folders are emptied before each run. Frameworks alternate within a repetition; a cell is
the median of `--repeat` runs. A cell whose runs would exceed the time budget stops early
(n < repeat is shown), and one whose single run would exceed it is not run at all: its
value is extrapolated from smaller sizes and marked `~` (never mixed with measurements).
Ratios are reference / runplane for times (higher is better for runplane) and runplane /
raw for throughput. Absolute times are context: this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_io import catalog_rows, fsync_latency_ms, make_files, runs_list_rows

HERE = Path(__file__).parent
SCENARIOS = HERE / "scenarios"
ROOT = HERE.parent
RECURSION_LIMIT = 10_000  # runnable 0.50.0 builds no chain over ~985 steps without it


@dataclass
class Cell:
    """One measured value (median of runs) or one extrapolated from smaller sizes."""

    runs: list[float] = field(default_factory=list)
    extrapolated: float | None = None
    failed: str = ""

    @property
    def value(self) -> float | None:
        if self.runs:
            return statistics.median(self.runs)
        return self.extrapolated

    def show(self, scale: float = 1.0, digits: int = 2) -> str:
        if self.failed:
            return f"failed ({self.failed})"
        if self.value is None:
            return "-"
        text = f"{self.value * scale:,.{digits}f}"
        if self.extrapolated is not None and not self.runs:
            return f"~{text} (extrapolated)"
        return text + (f" (n={len(self.runs)})" if 0 < len(self.runs) < Suite.repeat else "")


def ratio(reference: Cell, ours: Cell) -> str:
    if reference.value is None or not ours.value:
        return "-"
    mark = "~" if (reference.extrapolated is not None and not reference.runs) else ""
    return f"{mark}{reference.value / ours.value:,.1f}x"


class Suite:
    """Runs scenarios, collects table rows and notes, writes the report."""

    repeat = 5

    def __init__(self, args: argparse.Namespace) -> None:
        Suite.repeat = args.repeat
        self.quick = args.quick
        self.budget = args.budget
        bench = Path(args.bench_dir).resolve()
        self.py = {
            "runplane": sys.executable,
            "runnable": str(bench / "runnable" / "bin" / "python"),
            "kedro": str(bench / "kedro" / "bin" / "python"),
        }
        self.sections: list[tuple[str, list[str], list[list[str]]]] = []
        self.notes: list[str] = []
        self.work = Path(tempfile.mkdtemp(prefix="runplane-bench-", dir=args.scratch))
        _git_repo(self.work)
        # The same runs with the run log and catalog in RAM: the framework's own cost,
        # without the disk's fdatasync latency (which varies a lot on a shared machine).
        ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else self.work
        self.ram = Path(tempfile.mkdtemp(prefix="runplane-bench-", dir=ram))
        self.fsync_at_start = fsync_latency_ms(self.work)
        self.load_at_start = os.getloadavg()
        self.tmpfs = self.work / "tmpfs.yaml"
        self.tmpfs.write_text(
            f"run_log_store: {{type: file-system, config: {{log_folder: {self.ram}/logs}}}}\n"
            f"catalog: {{type: file-system, config: {{catalog_location: {self.ram}/catalog}}}}\n"
        )

    # -- running one process -----------------------------------------------------------

    def run_once(self, who: str, script: str, *args: str, env: dict[str, str] | None = None):
        for folder in (self.work / ".run_log_store", self.work / ".catalog", self.ram):
            shutil.rmtree(folder, ignore_errors=True)
        full_env = {**os.environ, "PYTHONPATH": str(self.work)}
        for name in ("RUNPLANE_CONFIGURATION_FILE", "RUNNABLE_CONFIGURATION_FILE", "BENCH_N"):
            full_env.pop(name, None)
        full_env.update(env or {})
        t0 = time.perf_counter()
        done = subprocess.run(
            [self.py[who], script, *args],
            cwd=self.work,
            env=full_env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - t0
        found = re.search(r"^BENCH (.*)$", done.stdout, re.MULTILINE)
        if done.returncode != 0 or not found:
            tail = " / ".join(done.stderr.strip().splitlines()[-2:])
            raise RuntimeError(f"{who} {script} {args}: exit {done.returncode}: {tail[-300:]}")
        result: dict[str, float] = json.loads(found.group(1))
        result["wall_s"] = wall
        return result

    def alternate(
        self, jobs: dict[str, Callable[[], dict[str, float]]], key: str
    ) -> dict[str, Cell]:
        """Run each job `repeat` times, alternating, within the budget; cells of `key`."""
        return {who: cells[key] for who, cells in self.alternate_keys(jobs, [key]).items()}

    def alternate_keys(
        self, jobs: dict[str, Callable[[], dict[str, float]]], keys: list[str]
    ) -> dict[str, dict[str, Cell]]:
        """As `alternate`, keeping several values of each run (those the job reports)."""
        cells = {who: {key: Cell() for key in keys} for who in jobs}
        spent = dict.fromkeys(jobs, 0.0)
        for _ in range(self.repeat):
            for who, job in jobs.items():
                first = cells[who][keys[0]]
                if first.failed or (
                    first.runs and spent[who] + spent[who] / len(first.runs) > self.budget
                ):
                    continue
                try:
                    t0 = time.perf_counter()
                    result = job()
                    spent[who] += time.perf_counter() - t0
                except RuntimeError as exc:
                    for cell in cells[who].values():
                        cell.failed = "see notes"
                    self.notes.append(f"{who} failed: {exc}")
                    continue
                for key in keys:
                    if key in result:
                        cells[who][key].runs.append(result[key])
        return cells

    # -- scenarios ------------------------------------------------------------------------

    def cold_start(self) -> None:
        bins = {who: str(Path(py).parent) for who, py in self.py.items()}
        commands = {
            "python -c pass": [self.py["runplane"], "-c", "pass"],
            "runplane: import runplane": [self.py["runplane"], "-c", "import runplane"],
            "runnable: import runnable": [self.py["runnable"], "-c", "import runnable"],
            "kedro: import its pipeline API": [
                self.py["kedro"],
                "-c",
                "from kedro.pipeline import Pipeline, node; from kedro.io import DataCatalog; "
                "from kedro.runner import SequentialRunner",
            ],
            "runplane --help": [f"{bins['runplane']}/runplane", "--help"],
            "runnable --help": [f"{bins['runnable']}/runnable", "--help"],
        }
        for cmd in commands.values():  # warm the file cache: first runs measure the disk
            subprocess.run(cmd, capture_output=True, check=False)
        jobs = {label: _timed(cmd) for label, cmd in commands.items()}
        cells = self.alternate(jobs, "wall_s")
        rows = [[label, cells[label].show(1000, 0)] for label in commands]
        rows[2].append(
            ratio(cells["runnable: import runnable"], cells["runplane: import runplane"])
        )
        rows[3].append(
            ratio(cells["kedro: import its pipeline API"], cells["runplane: import runplane"])
        )
        rows[5].append(ratio(cells["runnable --help"], cells["runplane --help"]))
        rows = [row + [""] * (3 - len(row)) for row in rows]
        self.sections.append(("Cold start (wall ms)", ["command", "ms", "ratio vs runplane"], rows))

    def linear(self, sizes: list[int]) -> None:
        rows, history = [], {"runnable": {}, "kedro": {}, "runplane": {}, "tmpfs": {}}
        warm_rows, cold_rows = [], []
        for n in sizes:
            limit = {"BENCH_RECURSION_LIMIT": str(RECURSION_LIMIT)} if n >= 900 else {}
            again = {"BENCH_AGAIN": "1"}
            scripts = {
                "runplane": ("runplane", "runplane_linear.py", again),
                "tmpfs": (
                    "runplane",
                    "runplane_linear.py",
                    {**again, "BENCH_CONFIG": str(self.tmpfs)},
                ),
                "runnable": ("runnable", "runnable_linear.py", limit),
                "kedro": ("kedro", "kedro_linear.py", again),
            }
            second: dict[str, Cell] = {}
            cold: dict[str, Cell] = {}
            cells = self._row(scripts, history, n, {"again_s": second, "cold_s": cold})
            cold_rows.append(
                [
                    f"{n:,}",
                    *(
                        cold.get(who, Cell()).show(1000, 0)
                        for who in ("runplane", "runnable", "kedro")
                    ),
                    ratio(cold.get("runnable", Cell()), cold.get("runplane", Cell())),
                    ratio(cold.get("kedro", Cell()), cold.get("runplane", Cell())),
                ]
            )
            warm = {who: _per(second.get(who, Cell()), n) for who in ("runplane", "tmpfs", "kedro")}
            warm_rows.append(
                [
                    f"{n:,}",
                    warm["runplane"].show(1000, 2),
                    warm["tmpfs"].show(1000, 2),
                    warm["kedro"].show(1000, 2),
                    ratio(warm["kedro"], warm["runplane"]),
                ]
            )
            per = {who: _per(cells[who], n) for who in history}
            rows.append(
                [
                    f"{n:,}",
                    per["runplane"].show(1000, 2),
                    per["tmpfs"].show(1000, 2),
                    per["runnable"].show(1000, 1),
                    per["kedro"].show(1000, 2),
                    ratio(per["runnable"], per["runplane"]),
                    ratio(per["kedro"], per["runplane"]),
                ]
            )
        header = ["steps", "runplane", "runplane, stores on tmpfs", "runnable", "kedro"]
        self.sections.append(
            (
                "Linear chain: in-process execute time per step (ms; import excluded)",
                [*header, "runnable/runplane", "kedro/runplane"],
                rows,
            )
        )
        self.sections.append(
            (
                "Linear chain: marginal cost of a step, (T(b) - T(a)) / (b - a) (ms; "
                "the fixed cost per run cancels out; measured sizes only)",
                ["steps a -> b", *header[1:], "runnable/runplane", "kedro/runplane"],
                _marginal_rows(history, sizes),
            )
        )
        self.sections.append(
            (
                "Linear chain, cold: a fresh process's imports plus its first run (ms; "
                "interpreter start-up excluded)",
                ["steps", "runplane", "runnable", "kedro", "runnable/runplane", "kedro/runplane"],
                cold_rows,
            )
        )
        self.sections.append(
            (
                "Linear chain: a second run in the same process, per step (ms; the imports "
                "and one-time set-up were paid by the first run)",
                ["steps", "runplane", "runplane, stores on tmpfs", "kedro", "kedro/runplane"],
                warm_rows,
            )
        )

    def map(self, sizes: list[int]) -> None:
        rows, history = [], {"runnable": {}, "kedro": {}, "runplane": {}, "tmpfs": {}}
        for n in sizes:
            scripts = {
                "runplane": ("runplane", "runplane_map.py", {}),
                "tmpfs": ("runplane", "runplane_map.py", {"BENCH_CONFIG": str(self.tmpfs)}),
                "runnable": ("runnable", "runnable_map.py", {}),
                "kedro": ("kedro", "kedro_fanout.py", {}),
            }
            cells = self._row(scripts, history, n)
            rows.append(
                [
                    f"{n:,}",
                    cells["runplane"].show(1, 2),
                    cells["tmpfs"].show(1, 2),
                    cells["runnable"].show(1, 1),
                    cells["kedro"].show(1, 2),
                    ratio(cells["runnable"], cells["runplane"]),
                    ratio(cells["kedro"], cells["runplane"]),
                ]
            )
        header = ["items", "runplane", "runplane, stores on tmpfs", "runnable", "kedro"]
        self.sections.append(
            (
                "Map over N items (execute s; Kedro: N static nodes)",
                [*header, "runnable/runplane", "kedro/runplane"],
                rows,
            )
        )

    def _row(
        self,
        scripts: dict[str, tuple[str, str, dict[str, str]]],
        history: dict[str, dict[int, float]],
        n: int,
        extra: dict[str, dict[str, Cell]] | None = None,
    ) -> dict[str, Cell]:
        """Measure one size for each column, or extrapolate a reference that would take long.

        `extra` maps other values the runs report (`again_s`, `cold_s`) to the dict that
        receives each column's cell of that value.
        """
        jobs = {}
        for column, (who, script, env) in scripts.items():
            if who != "runplane" and self._too_long(history[column], n):
                continue
            jobs[column] = lambda who=who, script=script, env=env: self.run_once(
                who, script, str(n), env=env
            )
        extra = extra or {}
        measured = self.alternate_keys(jobs, ["execute_s", *extra])
        cells = {column: found["execute_s"] for column, found in measured.items()}
        for key, into in extra.items():
            into.update({column: found[key] for column, found in measured.items()})
        for column, seen in history.items():
            cell = cells.get(column)
            if cell is None:
                cells[column] = Cell(extrapolated=_extrapolate(seen, n))
            elif cell.value is not None:
                seen[n] = cell.value
        return cells

    def subprocess_chain(self, n: int) -> None:
        (self.work / "sub.yaml").write_text("executor: {type: local-subprocess}\n")
        (self.work / "fresh.yaml").write_text(
            "executor: {type: local-subprocess, config: {start: fresh}}\n"
        )
        (self.work / "emulate.yaml").write_text("pipeline-executor: {type: emulator}\n")
        emulate = {"RUNNABLE_CONFIGURATION_FILE": "emulate.yaml"}
        # runnable's emulator takes seconds per step: probe it, and if the full chain would
        # not fit the budget, measure a shorter chain (its cost per step grows with N, so
        # the shorter chain flatters it).
        probe = self.run_once("runnable", "runnable_linear.py", env={**emulate, "BENCH_N": "10"})
        theirs = n if probe["execute_s"] / 10 * n <= self.budget else 10
        jobs = {
            "runplane": lambda: self.run_once(
                "runplane",
                "runplane_linear.py",
                env={"BENCH_N": str(n), "BENCH_CONFIG": "sub.yaml"},
            ),
            "fresh": lambda: self.run_once(
                "runplane",
                "runplane_linear.py",
                env={"BENCH_N": str(n), "BENCH_CONFIG": "fresh.yaml"},
            ),
            "runnable": lambda: self.run_once(
                "runnable", "runnable_linear.py", env={**emulate, "BENCH_N": str(theirs)}
            ),
        }
        cells = self.alternate(jobs, "execute_s")
        per = {who: _per(cells[who], n) for who in ("runplane", "fresh")}
        per["runnable"] = _per(cells["runnable"], theirs)
        shown = per["runnable"].show(1000, 0)
        if theirs != n:
            shown += f" (a {theirs}-step chain: {n} steps would exceed the budget)"
        rows = [
            [
                f"{n:,}",
                per["runplane"].show(1000, 0),
                per["fresh"].show(1000, 0),
                shown,
                ratio(per["fresh"], per["runplane"]),
                ratio(per["runnable"], per["runplane"]),
            ]
        ]
        self.sections.append(
            (
                "One process per step: runplane `local-subprocess` (step server, and a fresh "
                "interpreter per step) vs runnable `emulator` (ms per step)",
                [
                    "steps",
                    "runplane",
                    "runplane, start: fresh",
                    "runnable",
                    "fresh/runplane",
                    "runnable/runplane",
                ],
                rows,
            )
        )

    def catalog(self, big_mb: int, small_count: int) -> None:
        data = self.work / "catalog-data"
        try:
            make_files(data / "big", 1, big_mb * 1024 * 1024)
            make_files(data / "small", small_count, 4096)
            rows = catalog_rows(data, self.work, self.repeat, big_mb, small_count)
        finally:
            shutil.rmtree(data, ignore_errors=True)
            shutil.rmtree(self.work / "catalog-out", ignore_errors=True)
        self.sections.append(
            (
                "Catalog: put + get through the file-system catalog vs `cp` + `sha256sum` "
                "(MB/s of data moved; median)",
                ["data", "runplane MB/s", "raw MB/s", "runplane/raw"],
                rows,
            )
        )

    def scaling(self, steps: int, runs: int) -> None:
        result = self.run_once("runplane", "runplane_linear.py", str(steps))
        step10, last = result["step10_s"] * 1000, result["last_s"] * 1000
        listing = runs_list_rows(self.py["runplane"], self.work, runs, self.repeat)
        rows = [
            [f"gap between step starts near step 10 ({steps:,}-step run)", f"{step10:.2f} ms", ""],
            [f"... near step {steps:,}", f"{last:.2f} ms", f"{last / step10:.2f}x of step 10"],
            *listing,
        ]
        self.sections.append(
            ("Run log store scaling (runplane only)", ["measure", "value", ""], rows)
        )

    def _too_long(self, history: dict[int, float], n: int) -> bool:
        guess = _extrapolate(history, n)
        return guess is not None and guess > self.budget

    # -- report ---------------------------------------------------------------------------

    def report(self, out: Path | None, facts: list[str]) -> str:
        lines = ["# Benchmarks", "", "Generated by `make bench` (`benchmarks/suite.py`"]
        lines[-1] += " --quick)." if self.quick else ")."
        lines += ["", *facts, ""]
        for title, header, rows in self.sections:
            lines += [f"## {title}", "", "| " + " | ".join(header) + " |"]
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(row) + " |" for row in rows]
            lines.append("")
        lines += ["## Notes", "", *[f"- {note}" for note in NOTES + self.notes], ""]
        text = "\n".join(lines)
        if out is not None:
            out.write_text(text)
        return text


NOTES = [
    "runnable 0.50.0 cannot build a chain of more than ~985 steps: its graph check recurses "
    f"once per step. The suite raises its recursion limit to {RECURSION_LIMIT:,} for chains "
    "of 900 steps or more (`BENCH_RECURSION_LIMIT`), as the reference measurements did.",
    "`~` marks a value extrapolated, not measured: the run would exceed the time budget. "
    "runnable's time per step grows with the run's length (it rewrites the whole run log "
    "several times per step), so its execute time is fitted as a*N + b*N^2 through the two "
    "largest measured sizes (a*N when only one size was measured). This is a lower bound: "
    "runnable's cost per step grows faster than linearly once its run log is large (the "
    "reference notes measured 554.7 s for 1,000 steps, 555 ms per step, with the "
    "recursion limit raised). The same fit is used for Kedro's static fan-out.",
    "Per-step times are the in-process execute time divided by the number of steps; "
    "interpreter start-up and imports are excluded (see cold start). `import runplane` "
    "defers its configuration and wiring stack (pydantic, pydantic-settings, "
    "dependency-injector) to the first run; the runplane scenarios import it before the "
    "timed run (`import runplane.app.bootstrap.root`), so imports are excluded for runplane as "
    "for the references, whose imports load their whole stack. The cold table puts every "
    "import back: a fresh process's imports plus its first run, which is what a one-off "
    "command pays. Per-step times include each framework's fixed cost per run (for "
    "runplane: loading the configuration, building the adapters, recording the code's git "
    "identity, creating and closing the run), which is why the 10-step row is the most "
    "expensive per step. The trivial functions themselves cost microseconds. runnable is "
    "not in the second-run table: a second `execute()` in the same process returns in "
    "about a millisecond without running its steps.",
    "runplane's default file-system run log store writes one record when a step starts and "
    "one when it ends, and fdatasyncs each before going on (crash safety: a killed or "
    "powered-off run keeps every step it recorded). Its per-step time on disk therefore "
    "includes two fdatasyncs, whose latency on this shared disk is in the machine facts; "
    "the 'stores on tmpfs' column runs the same pipelines with the run log and catalog in "
    "RAM, which is runplane's own cost. runnable rewrites its run log without syncing; "
    "Kedro keeps data in memory and records nothing.",
    "Kedro has no dynamic map: its map row runs N independent nodes built in a loop.",
    "One process per step: each runplane step process runs `runplane execute-step`, "
    "forked from a step server that imported runplane, pydantic, pydantic-settings and the "
    "configured adapters once (`start: fork-server`, the Linux default); the step process "
    "imports the pipeline file itself. `benchmarks/step_start.py` compares it with a fresh "
    "interpreter per step (`start: fresh`). runnable's `emulator` executor is its "
    "subprocess-per-step mode.",
    "Catalog: runplane hashes while copying; `put` makes every catalog file durable before "
    "its step is recorded (all files written under temporary names, one syncfs(2) per file "
    "system for many files or an fsync each for a few, then renamed into place and the "
    "folders synced); `get` copies into the working directory without syncing (a lost copy "
    "is fetched again by a retry). The raw baseline is `cp -r` then `sha256sum` of the copy, "
    "twice (in and out), without any sync. On this disk most of both sides' time in the "
    "small-file case is ext4 creating files next to the 20,000 deleted just before (a "
    "shared cost that swings by seconds between runs).",
    "`runs list`: the runs are copies of one real 10-step run, listed with stdout piped "
    "(one plain line per run; a terminal gets a rich table).",
]


def machine_facts(suite: Suite) -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    start = ", ".join(f"{x:.1f}" for x in suite.load_at_start)
    return [
        f"- Machine: {os.cpu_count()} CPUs ({cpu}), {mem:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, CPython {platform.python_version()}.",
        f"- Scratch git repository under `{suite.work.parent}`; fdatasync of a small appended "
        f"record there (median of 50): {suite.fsync_at_start:.2f} ms when the suite started, "
        f"{fsync_latency_ms(suite.work):.2f} ms when it ended.",
        f"- Load average (1, 5, 15 min) when the suite started: {start}; when it ended: "
        f"{load}. The machine and its disk are shared with other work, so absolute times "
        "move by tens of percent between runs (fdatasync latency by 10x or more); ratios "
        "from alternating runs move much less.",
        "- References: runnable==0.50.0 and kedro==1.7.0 from PyPI, each in its own venv "
        "under `.bench/`; Kedro through its library API (SequentialRunner, MemoryDataset).",
    ]


def _marginal_rows(history: dict[str, dict[int, float]], sizes: list[int]) -> list[list[str]]:
    rows = []
    for a, b in itertools.pairwise(sizes):
        cost = {
            who: Cell(runs=[(seen[b] - seen[a]) / (b - a)] * Suite.repeat)
            if a in seen and b in seen
            else Cell()
            for who, seen in history.items()
        }
        rows.append(
            [
                f"{a:,} -> {b:,}",
                *(cost[who].show(1000, 2) for who in ("runplane", "tmpfs", "runnable", "kedro")),
                ratio(cost["runnable"], cost["runplane"]),
                ratio(cost["kedro"], cost["runplane"]),
            ]
        )
    return rows


def _timed(cmd: list[str]) -> Callable[[], dict[str, float]]:
    def job() -> dict[str, float]:
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        return {"wall_s": time.perf_counter() - t0}

    return job


def _per(cell: Cell, n: int) -> Cell:
    return Cell(
        runs=[r / n for r in cell.runs],
        extrapolated=cell.extrapolated / n if cell.extrapolated is not None else None,
        failed=cell.failed,
    )


def _extrapolate(history: dict[int, float], n: int) -> float | None:
    if not history:
        return None
    sizes = sorted(history)
    if len(sizes) == 1:
        return history[sizes[0]] / sizes[0] * n
    n1, n2 = sizes[-2], sizes[-1]
    t1, t2 = history[n1], history[n2]
    # t = a*n + b*n^2 through both points
    b = (t2 / n2 - t1 / n1) / (n2 - n1)
    a = t1 / n1 - b * n1
    return max(a * n + b * n * n, t2 / n2 * n)


def _git_repo(folder: Path) -> None:
    for script in SCENARIOS.glob("*.py"):
        shutil.copy(script, folder / script.name)
    git = ["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench"]
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["commit", "-q", "-m", "bench"],
        ["remote", "add", "origin", "https://example.com/bench.git"],
    ):
        subprocess.run([*git, *args], cwd=folder, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--budget", type=float, default=None, help="seconds per cell")
    parser.add_argument("--bench-dir", default=str(ROOT / ".bench"))
    parser.add_argument("--scratch", default=None, help="parent of the scratch folder")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    args.repeat = args.repeat or (2 if args.quick else 5)
    args.budget = args.budget or (20.0 if args.quick else 90.0)
    suite = Suite(args)
    quick = args.quick
    try:
        steps = [
            ("cold start", suite.cold_start),
            ("linear", lambda: suite.linear([10, 100] if quick else [10, 100, 1000])),
            ("map", lambda: suite.map([100, 1000] if quick else [100, 1000, 10_000])),
            ("local-subprocess", lambda: suite.subprocess_chain(10 if quick else 100)),
            ("catalog", lambda: suite.catalog(64 if quick else 1024, 1000 if quick else 10_000)),
            ("scaling", lambda: suite.scaling(1000 if quick else 10_000, 500 if quick else 5000)),
        ]
        for name, step in steps:
            t0 = time.perf_counter()
            step()
            print(f"[{name}: {time.perf_counter() - t0:.0f} s]", file=sys.stderr)
        print(suite.report(Path(args.out) if args.out else None, machine_facts(suite)))
    finally:
        shutil.rmtree(suite.work, ignore_errors=True)
        shutil.rmtree(suite.ram, ignore_errors=True)


if __name__ == "__main__":
    main()
