"""What the CLI shows of runs: the end table, progress, objects, reused steps."""

from __future__ import annotations

import io

from rich.console import Console

from runplane import Parallel, Pipeline, PythonTask
from runplane.adapters.cli.progress import LiveProgress, PlainProgress
from runplane.adapters.cli.run_views import compact, run_tree
from runplane.adapters.cli.views import summary
from runplane.domain.events import EventKind, RunEvent
from runplane.domain.run_log import Attempt, RunLog, Status, StepLog
from runplane.domain.step_tree import build_tree

T = "2026-03-10T10:00:{:02d}.000000+00:00"


def step(path: str, start: int, end: int, **fields: object) -> StepLog:
    attempt = Attempt(1, Status.SUCCESS, T.format(start), T.format(end))
    return StepLog(path, "task", Status.SUCCESS, [attempt], **fields)  # type: ignore[arg-type]


def branchy_run() -> RunLog:
    run = RunLog("r2", Status.SUCCESS, T.format(0), end_time=T.format(9))
    # Branch y's step started first; the table still follows the pipeline (x before y).
    for record in (
        step("par", 1, 8, branches={"x": "success", "y": "success"}),
        step("par.y.fit", 2, 3, metrics={"loss": 0.5}),
        step("par.x.fit", 4, 7, metrics={"loss": 0.25}, reused_from="r1"),
    ):
        run.steps[record.path] = record
    return run


def rendered(draw: object) -> str:
    console = Console(file=io.StringIO(), width=200)
    if callable(draw):
        draw(console)
    else:
        console.print(draw)
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    return text


def test_end_table_is_in_pipeline_order_with_metrics_and_reuse() -> None:
    text = rendered(lambda console: summary(console, branchy_run()))
    rows = [line for line in text.splitlines() if "fit" in line or "par " in line]
    assert [row.split()[1] for row in rows] == ["par", "par.x.fit", "par.y.fit"]
    assert '"loss": 0.25' in rows[1]
    assert "reused from r1" in rows[1]
    assert "3.00s" in rows[1]  # first attempt start to last attempt end


def test_runs_show_marks_reused_steps() -> None:
    text = rendered(run_tree(build_tree(branchy_run())))
    assert "(reused from r1)" in text


def test_objects_show_compactly() -> None:
    reference = {
        "$object": {
            "path": "objects/train/df.pickle",
            "sha256": "ab12cd34ef56" + "0" * 52,
            "size": 12_345,
            "format": "pickle",
            "type": "pandas.core.frame.DataFrame",
        }
    }
    shown = compact({"df": reference, "many": [reference, 1], "n": 3})
    label = "<DataFrame 12.3 kB sha256:ab12cd34ef56...>"
    assert shown == f'{{"df": {label}, "many": [{label}, 1], "n": 3}}'


def test_plain_progress_gives_the_recorded_duration() -> None:
    stream = io.StringIO()
    progress = PlainProgress(stream)
    progress(RunEvent(EventKind.STEP_STARTED, "r", T.format(0), "fit"))
    progress(
        RunEvent(
            EventKind.STEP_ENDED, "r", T.format(9), "fit", Status.SUCCESS, 1,
            start_time=T.format(1), end_time=T.format(4),
        )
    )  # fmt: skip
    assert stream.getvalue().splitlines()[-1].endswith("step fit success (1 attempt, 3.00s)")


def one() -> int:
    return 1


def test_live_progress_names_every_running_step() -> None:
    graph = Pipeline(
        [Parallel("par", {k: Pipeline([PythonTask(one, name="fit")]) for k in "abcdef"})]
    ).graph
    live = LiveProgress(graph, Console(file=io.StringIO()))
    for key in "abcdef":
        live(RunEvent(EventKind.STEP_STARTED, "r", T.format(0), f"par.{key}.fit"))
    description = live.progress.tasks[0].description
    assert "par.a.fit" in description
    assert "par.d.fit" in description
    assert "+2 more" in description
    for key in "abcde":
        live(RunEvent(EventKind.STEP_ENDED, "r", T.format(1), f"par.{key}.fit", Status.SUCCESS))
    assert live.progress.tasks[0].description == "[bold]par.f.fit[/bold]"
