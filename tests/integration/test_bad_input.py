"""A catalogue of bad and hostile input, each through the CLI's own entry point.

Every case must end with a non-zero exit status, a message naming the culprit and what
would be valid, and no Python traceback. Most cases run the console script's `main()` in
this process (its own folder, environment, arguments and output, one after another): the
CLI's start-up is what a process would add, and it is the same for every case. The cases
where the process itself matters (a pipeline calling sys.exit, deep recursion, the lean
`execute-step` entry) and a few plain ones run `runplane` in a subprocess, side by side;
RUNPLANE_LONG_TESTS=1 runs every case in a subprocess too and checks both ways agree.
Each case is its own test; `pytest -s` prints the figures.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from traceback import format_exc

import pytest

from tests.integration.conftest import RUNPLANE

pytestmark = pytest.mark.integration

LONG = os.environ.get("RUNPLANE_LONG_TESTS") == "1"

OK = """
from runplane import Catalog, Pipeline, PythonTask


def one() -> int:
    return 1


pipeline = Pipeline([PythonTask(one, returns=["x"])])
"""

OK_YAML = """
steps:
  - {type: shell, name: hello, command: "echo hi"}
"""


def sdk(body: str) -> str:
    """A pipeline file with the imports and a function `one` ready."""
    return OK.replace('pipeline = Pipeline([PythonTask(one, returns=["x"])])', body)


def put(pattern: str) -> str:
    return sdk(f"pipeline = Pipeline([PythonTask(one, catalog=Catalog(put=[{pattern!r}]))])")


BOMB = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)
DEEP = "x: " + "[" * 5000 + "]" * 5000 + "\n"
LATIN1 = "name: caf\xe9\n".encode("latin-1")
RAISES = "def pipeline():\n    raise ValueError('no pipeline today')\n"
# 3,000 steps, each the on_failure handler of the one before; `a0` fails (no parameter x).
DEEP_HANDLERS = """
from itertools import pairwise

from runplane import Pipeline, PythonTask, Stub


def needs(x):
    return x


steps = [PythonTask(needs, name="a0"), *(Stub(f"a{i}") for i in range(1, 3000))]
for step, handler in pairwise(steps):
    step.on_failure = handler
pipeline = Pipeline([steps[0]])
"""
NESTED = """
from runplane import Pipeline, PythonTask


def deep():
    value = []
    for _ in range(899):
        value = [value]
    return value


def depth(v):
    n = 1
    while v:
        v, n = v[0], n + 1
    print("received depth", n)


pipeline = Pipeline([PythonTask(deep, returns=["v"]), PythonTask(depth)])
"""


@dataclass
class Case:
    id: str
    args: list[str]
    expect: list[str]  # substrings of the output (whitespace-normalised), culprit and remedy
    files: dict[str, str | bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # name -> target
    env: dict[str, str] = field(default_factory=dict)
    code: int | None = None  # a specific status; else any non-zero
    process: bool = False  # run in a subprocess: the process itself is part of the case


RUN_OK = ["run", "ok.py"]

CASES = [
    # -- configuration -----------------------------------------------------------------
    Case("config-missing", [*RUN_OK, "-c", "nope.yaml"], ["'nope.yaml' not found"], process=True),
    Case("config-bad-yaml", [*RUN_OK, "-c", "c.yaml"], ["'c.yaml' is not valid YAML", "line 2"],
         {"c.yaml": "executor: [local\n"}),
    Case("config-not-mapping", [*RUN_OK, "-c", "c.yaml"], ["must be a mapping", "run_log_store"],
         {"c.yaml": "- a\n- b\n"}),
    Case("config-unknown-section", [*RUN_OK, "-c", "c.yaml"],
         ["unknown section 'executr'", "valid sections"], {"c.yaml": "executr: {type: local}\n"}),
    Case("config-unknown-type", [*RUN_OK, "-c", "c.yaml"], ["lokal", "local-subprocess"],
         {"c.yaml": "executor: {type: lokal}\n"}),
    Case("config-typo-in-adapter-key", [*RUN_OK, "-c", "c.yaml"], ["log_foldr"],
         {"c.yaml": "run_log_store: {type: file-system, config: {log_foldr: x}}\n"}),
    Case("config-section-not-mapping", [*RUN_OK, "-c", "c.yaml"], ["run_log_store"],
         {"c.yaml": "run_log_store: 3\n"}),
    Case("config-not-utf8", [*RUN_OK, "-c", "c.yaml"], ["'c.yaml' is not UTF-8", "line 1"],
         {"c.yaml": LATIN1}),
    Case("config-yaml-bomb", [*RUN_OK, "-c", "c.yaml"], ["'c.yaml' expands to more than"],
         {"c.yaml": BOMB}),
    Case("config-deeply-nested", [*RUN_OK, "-c", "c.yaml"], ["'c.yaml' is nested too deeply"],
         {"c.yaml": DEEP}, process=True),
    Case("config-variable-bad-type", RUN_OK, ["bogus", "local"],
         env={"RUNPLANE_EXECUTOR__TYPE": "bogus"}),
    Case("config-variable-missing-file", RUN_OK, ["'absent.yaml' not found"],
         env={"RUNPLANE_CONFIGURATION_FILE": "absent.yaml"}),
    Case("config-validate-bad", ["config", "validate", "c.yaml"], ["unknown section 'x'"],
         {"c.yaml": "x: 1\n"}),
    # -- SDK pipeline definitions ---------------------------------------------------------
    Case("pipeline-missing", ["run", "nope.py"], ["'nope.py' not found"]),
    Case("pipeline-wrong-suffix", ["run", "p.txt"], ["must be a Python file", ".yaml"],
         {"p.txt": OK}),
    Case("pipeline-syntax-error", ["run", "p.py"], ["'p.py' failed to import", "SyntaxError"],
         {"p.py": "def (:\n"}),
    Case("pipeline-not-defined", ["run", "p.py"], ["must define `pipeline`", "found nothing"],
         {"p.py": "x = 1\n"}),
    Case("pipeline-import-error", ["run", "p.py"], ["ModuleNotFoundError", "no_such_module"],
         {"p.py": "import no_such_module\n"}),
    Case("pipeline-not-utf8", ["run", "p.py"], ["'p.py' failed to import", "utf-8"],
         {"p.py": b"x = 'caf\xe9'\n" + OK.encode()}),
    Case("pipeline-duplicate-names", ["run", "p.py"], ["one"],
         {"p.py": sdk("pipeline = Pipeline([PythonTask(one), PythonTask(one)])")}),
    Case("pipeline-step-name-with-slash", ["run", "p.py"], ["'../x'", "letters, digits"],
         {"p.py": sdk("pipeline = Pipeline([PythonTask(one, name='../x')])")}),
    Case("pipeline-returns-string", ["run", "p.py"], ["returns must be a list", "'x'"],
         {"p.py": sdk("pipeline = Pipeline([PythonTask(one, returns='x')])")}),
    Case("pipeline-max-attempts-zero", ["run", "p.py"], ["max_attempts must be at least 1"],
         {"p.py": sdk("pipeline = Pipeline([PythonTask(one, max_attempts=0)])")}),
    Case("secret-name-with-dash", ["run", "p.py"],
         ["secret name 'api-key'", "environment variable name"],
         {"p.py": sdk("pipeline = Pipeline([PythonTask(one, secrets=['api-key'])])")}),
    Case("secret-name-with-equals", ["run", "p.py"], ["secret name 'A=B'", "letters, digits"],
         {"p.py": sdk("pipeline = Pipeline([PythonTask(one, secrets=['A=B'])])")}),
    Case("secret-name-leading-digit", ["run", "p.py"], ["secret name '1key'", "digit"],
         {"p.py": sdk("pipeline = Pipeline([PythonTask(one, secrets=['1key'])])")}),
    Case("catalog-pattern-dotdot", ["run", "p.py"], ["'../etc/passwd'", "without '..'"],
         {"p.py": put("../etc/passwd")}),
    Case("catalog-pattern-absolute", ["run", "p.py"], ["'/etc/passwd'", "relative"],
         {"p.py": put("/etc/passwd")}),
    Case("catalog-pattern-empty", ["run", "p.py"], ["catalog pattern is empty"],
         {"p.py": put(" ")}),
    Case("catalog-symlinked-folder-outside", ["run", "p.py"],
         ["catalog-symlinked-folder-outside/outside/", "resolves outside"],
         {"p.py": put("outside/*")}, {"outside": "/etc"}, code=1),
    Case("catalog-symlinked-file-outside", ["run", "p.py"], ["/host' resolves outside"],
         {"p.py": put("host")}, {"host": "/etc/hostname"}, code=1),
    Case("map-iterate-on-not-identifier", ["run", "p.py"], ["iterate_on 'a-b'", "identifier"],
         {"p.py": sdk("from runplane import Map\n"
                      "pipeline = Pipeline([Map('m', 'a-b', 'i', Pipeline([PythonTask(one)]))])")}),
    # -- YAML pipeline definitions ---------------------------------------------------------
    Case("yaml-syntax", ["run", "p.yaml"], ["'p.yaml' is not valid YAML", "line"],
         {"p.yaml": "steps: [\n"}),
    Case("yaml-not-mapping", ["run", "p.yaml"], ["p.yaml"], {"p.yaml": "- 1\n"}),
    Case("yaml-empty", ["run", "p.yaml"], ["p.yaml"], {"p.yaml": ""}),
    Case("yaml-unknown-type", ["run", "p.yaml"], ["steps[0]", "shel"],
         {"p.yaml": "steps: [{type: shel, name: a, command: ls}]\n"}),
    Case("yaml-unknown-key", ["run", "p.yaml"], ["steps[0]", "comand"],
         {"p.yaml": "steps: [{type: shell, name: a, comand: ls}]\n"}),
    Case("yaml-missing-module", ["run", "p.yaml"], ["module 'nowhere' not found"],
         {"p.yaml": "steps: [{type: python, command: nowhere.f}]\n"}),
    Case("yaml-bomb", ["run", "p.yaml"], ["'p.yaml' expands to more than"], {"p.yaml": BOMB}),
    Case("yaml-not-utf8", ["run", "p.yaml"], ["'p.yaml' is not UTF-8"], {"p.yaml": LATIN1}),
    Case("yaml-secret-name", ["run", "p.yaml"], ["steps[0]", "secret name 'my secret'"],
         {"p.yaml": "steps: [{type: shell, name: a, command: ls, secrets: ['my secret']}]\n"}),
    Case("yaml-catalog-traversal", ["run", "p.yaml"], ["steps[0]", "'../../x'"],
         {"p.yaml": "steps: [{type: shell, name: a, command: ls, catalog: {get: [../../x]}}]\n"}),
    Case("yaml-alias-cycle", ["run", "p.yaml"], ["p.yaml"], {"p.yaml": "steps: &s [*s]\n"}),
    # -- parameters ------------------------------------------------------------------------
    Case("params-missing", [*RUN_OK, "-p", "nope.yaml"], ["parameters file 'nope.yaml' not found"]),
    Case("params-bad-yaml", [*RUN_OK, "-p", "p.yaml"], ["'p.yaml' is not valid YAML", "line"],
         {"p.yaml": "a: [1\n"}),
    Case("params-list", [*RUN_OK, "-p", "p.yaml"], ["must be a mapping", "got list"],
         {"p.yaml": "- 1\n"}),
    Case("params-bad-name", [*RUN_OK, "-p", "p.yaml"], ["'a-b' is not a valid identifier"],
         {"p.yaml": "a-b: 1\n"}),
    Case("params-not-utf8", [*RUN_OK, "-p", "p.yaml"], ["'p.yaml' is not UTF-8"],
         {"p.yaml": LATIN1}),
    Case("params-enormous", [*RUN_OK, "-p", "p.yaml"], ["'p.yaml' is 11,", "the limit is"],
         {"p.yaml": "x: '" + "a" * (11 * 1024 * 1024) + "'\n"}),
    Case("params-yaml-bomb", [*RUN_OK, "-p", "p.yaml"], ["'p.yaml' expands to more than"],
         {"p.yaml": BOMB}),
    Case("params-date-value", [*RUN_OK, "-p", "p.yaml"], ["'when' is not JSON data", "quote dates"],
         {"p.yaml": "when: 2026-01-01\n"}),
    Case("params-control-characters", [*RUN_OK, "-p", "p.yaml"], ["p.yaml", "not valid YAML"],
         {"p.yaml": "a: \x07\n"}),
    # -- run ids -----------------------------------------------------------------------------
    Case("run-id-dotdot", [*RUN_OK, "--run-id", "../escape"],
         ["'../escape' is invalid", "letters"]),
    Case("run-id-absolute", [*RUN_OK, "--run-id", "/tmp/x"], ["'/tmp/x' is invalid"]),
    Case("run-id-shell", [*RUN_OK, "--run-id", "a;rm -rf ~"], ["is invalid", "digits"]),
    Case("run-id-substitution", [*RUN_OK, "--run-id", "$(whoami)"], ["'$(whoami)' is invalid"]),
    Case("run-id-space", [*RUN_OK, "--run-id", "a b"], ["'a b' is invalid"]),
    Case("run-id-empty", [*RUN_OK, "--run-id", ""], ["run id", "invalid"]),
    Case("run-id-too-long", [*RUN_OK, "--run-id", "r" * 200], ["is invalid", "1-128"]),
    Case("run-id-newline", [*RUN_OK, "--run-id", "a\nb"], ["is invalid"]),
    Case("show-run-id-dotdot", ["runs", "show", "../../etc"], ["'../../etc' is invalid"]),
    Case("retry-run-id-dotdot", ["retry", "../x"], ["'../x' is invalid"]),
    Case("execute-step-run-id-dotdot", ["execute-step", "ok.py", "one", "--run-id", "../x"],
         ["'../x' is invalid"]),
    Case("show-unknown-run", ["runs", "show", "ghost"], ["run 'ghost' not found"]),
    # -- CLI arguments -----------------------------------------------------------------------
    Case("cli-unknown-command", ["launch"], ["No such command 'launch'"], process=True),
    Case("cli-unknown-option", [*RUN_OK, "--colour"], ["No such option: --colour"]),
    Case("cli-missing-argument", ["run"], ["Missing argument 'PIPELINE'"]),
    Case("cli-attempts-zero", ["execute-step", "ok.py", "one", "--run-id", "r", "--attempts", "0"],
         ["'--attempts'", "greater than or equal to 1"]),
    Case("cli-pipeline-is-a-folder", ["run", "."], ["'.' not found"]),
    # -- errors that used to escape as tracebacks or silent exits ----------------------------
    Case("pipeline-function-raises", ["run", "p.py"],
         ["'p.py': `pipeline()` raised ValueError: no pipeline today"], {"p.py": RAISES}, code=2,
         process=True),
    Case("pipeline-sys-exit", ["run", "p.py"], ["'p.py' called sys.exit(3) while it was imported",
         "__main__"], {"p.py": "import sys\nsys.exit(3)\n"}, code=2, process=True),
    Case("pipeline-function-sys-exit", ["run", "p.py"], ["called sys.exit(3) in `pipeline()`"],
         {"p.py": "import sys\n\ndef pipeline():\n    sys.exit(3)\n"}, code=2, process=True),
    *[Case(f"config-variable-not-json-{'-'.join(args[:2])}", args,
           ["environment variable RUNPLANE_EXECUTOR is not valid JSON", "JSON object"],
           env={"RUNPLANE_EXECUTOR": "not json"}, code=2, process=args[0] == "execute-step")
      for args in (RUN_OK, ["runs", "list"], ["runs", "show", "r1"], ["runs", "logs", "r1", "one"],
                   ["retry", "r1"], ["execute-step", "ok.py", "one", "--run-id", "r1"],
                   ["job", "ok.py"], ["config", "show"], ["render", "ok.py"])],
    Case("config-variable-not-object", ["runs", "list"],
         ["RUNPLANE_SECRETS must be a JSON object", "got list"],
         env={"RUNPLANE_SECRETS": "[1]"}, code=2),
    Case("pipeline-own-handler", ["run", "p.py"],
         ["step 'one' is its own on_failure handler", "a handler must be other steps"],
         {"p.py": sdk("a = PythonTask(one)\na.on_failure = a\npipeline = Pipeline([a])")}, code=2),
    Case("pipeline-handler-cycle", ["run", "p.py"], ["'a' is in its own on_failure chain", "'b'"],
         {"p.py": sdk("a = PythonTask(one, name='a')\n"
                      "a.on_failure = PythonTask(one, name='b', on_failure=a)\n"
                      "pipeline = Pipeline([a])")}, code=2),
    Case("pipeline-3000-deep-handler-chain", ["run", "p.py", "--no-check"], ["a0", "'x'"],
         {"p.py": DEEP_HANDLERS}, code=1, process=True),
    Case("step-name-too-long", ["run", "p.py"], ["is 201 bytes long", "at most 200", "names files"],
         {"p.py": sdk("pipeline = Pipeline([PythonTask(one, name='x' * 201)])")}, code=2),
    Case("step-path-too-long", ["run", "p.py"], ["step path 'mmm", "bytes long", "at most 200"],
         {"p.py": sdk("from runplane import Map, Stub\npipeline = Pipeline([PythonTask(one, "
                      "returns=['xs']), Map('m' * 100, 'xs', 'x', Pipeline([Stub('s' * 99)]))])")},
         code=2),
]  # fmt: skip


@dataclass
class Outcome:
    code: int
    output: str


def prepare(case: Case, root: Path) -> Path:
    folder = root / case.id
    folder.mkdir()
    (folder / "ok.py").write_text(OK)
    for name, content in case.files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    for name, target in case.links.items():
        (folder / name).symlink_to(target)
    return folder


def run_in_subprocess(case: Case, folder: Path, env: dict[str, str]) -> Outcome:
    done = subprocess.run(
        [RUNPLANE, *case.args], cwd=folder, env={**env, **case.env},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return Outcome(done.returncode, done.stdout + done.stderr)


def run_in_process(case: Case, folder: Path, env: dict[str, str]) -> Outcome:
    """`runplane <args>` as the console script runs it, in this process.

    An exception that escapes `main()` is what the process would print as a traceback:
    it is kept in the output (with the word "Traceback"), so the case fails as it would.
    """
    from runplane.console import main  # noqa: PLC0415  (the console script's function)

    output = io.StringIO()
    with _as_a_process(folder, {**env, **case.env}, ["runplane", *case.args], output):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = _exit_status(exc.code, output)
        except BaseException:  # noqa: BLE001  (what would end the process with a traceback)
            output.write(format_exc())
            code = 1
    return Outcome(code, output.getvalue())


def _exit_status(code: object, output: io.StringIO) -> int:
    """The status `sys.exit(code)` gives a process (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    output.write(f"{code}\n")
    return 1


@contextlib.contextmanager
def _as_a_process(
    folder: Path, env: dict[str, str], argv: list[str], output: io.StringIO
) -> Iterator[None]:
    """Working directory, environment, arguments and both streams as a process has them;
    everything put back afterwards (the routers `main()` installs go with the streams)."""
    from runplane.adapters.cli import commands  # noqa: PLC0415

    saved_env, saved_argv, saved_cwd = dict(os.environ), sys.argv, os.getcwd()
    saved_streams = sys.stdout, sys.stderr
    # A process sizes its consoles from COLUMNS when it imports the CLI; this process did
    # that once, under whatever COLUMNS an earlier test had.
    saved_widths = commands.out.width, commands.err.width
    commands.out.width = commands.err.width = int(env["COLUMNS"])
    os.environ.clear()
    os.environ.update(env)
    sys.argv = argv
    os.chdir(folder)
    sys.stdout = sys.stderr = output
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved_streams
        commands.out.width, commands.err.width = saved_widths
        os.chdir(saved_cwd)
        sys.argv = saved_argv
        os.environ.clear()
        os.environ.update(saved_env)


#: Columns for every case: wider than any message, so none folds (tables take what they need).
UNWRAPPED = "100000"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("bad-input")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPLANE_")}
    env["COLUMNS"] = UNWRAPPED  # a message naming a long path must not fold mid-word
    folders = {c.id: prepare(c, root) for c in CASES}
    spawned = [c for c in CASES if c.process]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(
            zip(
                [c.id for c in spawned],
                pool.map(lambda c: run_in_subprocess(c, folders[c.id], env), spawned),
                strict=True,
            )
        )
    for case in CASES:
        if not case.process:  # one after another: a working directory is per process
            results[case.id] = run_in_process(case, folders[case.id], env)
    handled = sum(1 for c in CASES if _handled(c, results[c.id]))
    sys.stdout.write(f"bad input: {len(CASES)} cases, {handled} handled\n")
    return results


def _handled(case: Case, outcome: Outcome) -> bool:
    flat = " ".join(outcome.output.split())
    return (
        outcome.code != 0
        and (case.code is None or outcome.code == case.code)
        and "Traceback" not in outcome.output
        and all(" ".join(e.split()) in flat for e in case.expect)
    )


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_clearly(case: Case, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[case.id]
    assert outcome.code != 0, outcome.output
    if case.code is not None:
        assert outcome.code == case.code, outcome.output
    assert "Traceback" not in outcome.output
    flat = " ".join(outcome.output.split())
    for expected in case.expect:
        assert " ".join(expected.split()) in flat, outcome.output


@pytest.mark.skipif(not LONG, reason="RUNPLANE_LONG_TESTS=1: every case in a subprocess too")
def test_each_case_ends_the_same_in_a_subprocess(
    outcomes: dict[str, Outcome], tmp_path: Path
) -> None:
    """What the in-process cases stand for: the console script in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPLANE_")}
    env["COLUMNS"] = UNWRAPPED  # a message naming a long path must not fold mid-word
    cases = [c for c in CASES if not c.process]
    with ThreadPoolExecutor(max_workers=4) as pool:
        spawned = list(pool.map(lambda c: run_in_subprocess(c, prepare(c, tmp_path), env), cases))
    for case, outcome in zip(cases, spawned, strict=True):
        assert outcome.code == outcomes[case.id].code, (case.id, outcome.output)
        assert _handled(case, outcome), (case.id, outcome.output)


def test_a_long_error_is_one_line(outcomes: dict[str, Outcome]) -> None:
    output = outcomes["config-variable-not-json-runs-list"].output
    assert len(output) > 100, output  # longer than a console line
    assert output.count("\n") == 1, output


def test_debug_adds_the_traceback_to_the_one_line(tmp_path: Path) -> None:
    (tmp_path / "p.py").write_text(RAISES)
    for flags, traceback in (([], False), (["--debug"], True)):
        done = subprocess.run(
            [RUNPLANE, "run", "p.py", *flags], cwd=tmp_path, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert ("Traceback" in done.stderr) is traceback, done.stderr
        assert "no pipeline today" in done.stderr.splitlines()[-1] or traceback


@pytest.mark.parametrize("executor", ["local", "local-subprocess"])
def test_a_deeply_nested_return_reaches_the_next_step_or_is_refused_clearly(
    tmp_path: Path, executor: str
) -> None:
    """Never a RecursionError in the step that receives it: either the run log refuses the
    value when it is returned (nested too deep), or it arrives whole."""
    (tmp_path / "p.py").write_text(NESTED)
    (tmp_path / "c.yaml").write_text(f"executor: {{type: {executor}}}\n")
    done = subprocess.run(
        [RUNPLANE, "run", "p.py", "-c", "c.yaml"], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert "RecursionError" not in output
    if done.returncode == 0:
        assert "received depth 900" in output
    else:
        assert done.returncode == 1, output
        assert "step 'deep': return 'v' is nested more than" in " ".join(output.split())
