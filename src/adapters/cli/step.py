"""`runplane execute-step`, parsed without typer and rich: executors start it once per step.

The `local-subprocess` executor and every orchestrator pod pay this command's start-up for
each task, so it imports only what running one step needs. Its arguments, output and exit
statuses are those of the command documented in `runplane --help` (`commands.py`).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence

from runplane.domain.errors import Interrupted, RunplaneError
from runplane.domain.graph import Graph
from runplane.domain.run_log import Status
from runplane.ports.step_path import StepPath

#: Exit statuses, as in `commands.py` (not imported from there: that module imports typer).
EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runplane execute-step",
        description="Run one step of an existing run (what executors call in subprocesses "
        "and pods).",
    )
    parser.add_argument("pipeline", help="Python file defining `pipeline`, or a YAML pipeline.")
    parser.add_argument("step", help="Step path, e.g. 'train'.")
    parser.add_argument("--run-id", required=True, help="The run the step belongs to.")
    parser.add_argument(
        "--config", "-c", dest="config_file", help="Configuration file (else $RUNPLANE_...)."
    )
    parser.add_argument(
        "--attempts",
        type=int,
        help="At most this many attempts here (default: the step's max_attempts); "
        "orchestrators that retry the command themselves pass 1.",
    )
    parser.add_argument("--debug", action="store_true", help="Show Python tracebacks of errors.")
    return parser


def build_step_command(
    make_steps: Callable[[str | None], StepPath], load_pipeline: Callable[[str], Graph]
) -> Callable[[Sequence[str]], int]:
    """`execute-step ARGS` bound to the step path's factory and the pipeline loader."""

    def execute_step(argv: Sequence[str]) -> int:
        parser = _parser()
        args = parser.parse_args(list(argv))
        if args.attempts is not None and args.attempts < 1:
            # The wording of the typer command, which people and scripts already know.
            parser.error(
                "Invalid value for '--attempts': Input should be greater than or equal to 1"
            )
        try:
            steps = make_steps(args.config_file)
            graph = load_pipeline(args.pipeline)
            record = steps.execute_step(graph, args.run_id, args.step, attempts=args.attempts)
        except RunplaneError as exc:
            if args.debug:
                traceback.print_exc()
            sys.stderr.write(f"error: {exc.headline}: {exc}\n")
            return EXIT_BAD_INPUT
        except (KeyboardInterrupt, Interrupted) as exc:
            # The attempt was recorded as failed before this returns: exit 1, as for a
            # failed step (and as the typer command did), so the executor reads the record.
            sys.stderr.write(f"interrupted ({type(exc).__name__} {exc}".rstrip() + ")\n")
            return EXIT_RUN_FAILED
        if record.status is not Status.SUCCESS:
            sys.stderr.write(f"step {args.step!r} failed: {record.message}\n")
            return EXIT_RUN_FAILED
        return EXIT_OK

    return execute_step
