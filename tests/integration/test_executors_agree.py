"""Every example runs under `local` and `local-subprocess` (its processes forked from a step
server, and fresh interpreters: three examples by default, all when long), and their run
logs agree. Then the differential suite:
generated pipelines returning generated values run under those three and Argo (through the
test interpreter); run logs agree but for times, ids and pickle hashes, and every step
receives values equal in value and exact type everywhere. RUNPLANE_LONG_TESTS=1 runs many
more examples."""

import importlib.util
import itertools
import json
import math
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.errors import RunplaneError
from tests.integration.argo_interpreter import Interpreter
from tests.integration.conftest import REPO, RUNPLANE, Cli

pytestmark = pytest.mark.integration

EXAMPLES = {
    "seed": ("seed/pipeline.py", None, {"secret_key": "s"}),
    "parallel_training": ("parallel_training/pipeline.py", "parallel_training/params.yaml", {}),
    "map_files": ("map_files/pipeline.py", None, {}),
    "conditional": ("conditional/pipeline.py", None, {}),
    "conditional_env": ("conditional/pipeline.py", None, {"RUNPLANE_PRM_size": "5000"}),
    "retry": ("retry/pipeline.py", None, {}),
    "loop": ("loop/pipeline.py", None, {}),
    "objects": ("../tests/integration/pipelines/objects.py", None, {}),
}


def recorded(log_folder: Path, run_id: str) -> dict[str, Any]:
    """The run log as `runs show --json` prints it, read from the store in this process.

    The runs are what these tests compare; a CLI start-up per run to print each log would
    add nothing (`runs show` has tests of its own; the local example run still uses it).
    """
    store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(log_folder)))
    data: dict[str, Any] = json.loads(json.dumps(store.get_run(run_id).to_dict()))
    return data


def comparable(log: dict[str, Any]) -> dict[str, Any]:
    return {
        path: (
            step["status"],
            step["returns"],
            step["metrics"],
            sorted((e["name"], e["stage"], e["sha256"]) for e in step["data_catalog"]),
            [a["status"] for a in step["attempts"]],
            step["branches"],
        )
        for path, step in log["steps"].items()
    }


#: Examples that also run with a fresh interpreter per step by default (about a second of
#: start-up per step; the generated pipelines below run fresh too): files, objects, a
#: secret. RUNPLANE_LONG_TESTS=1 runs every example fresh.
FRESH_BY_DEFAULT = {"seed", "map_files", "objects"}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_runs_the_same_under_every_executor(cli: Cli, workdir: Path, example: str) -> None:
    pipeline, params, env = EXAMPLES[example]
    fresh = example in FRESH_BY_DEFAULT or os.environ.get("RUNPLANE_LONG_TESTS") == "1"
    starts = ("fork-server", "fresh") if fresh else ("fork-server",)
    logs = {}
    for executor in ("local", *starts):
        run_dir = workdir / executor
        run_dir.mkdir()
        config = []
        if executor != "local":
            (run_dir / "sub.yaml").write_text(
                "executor: {type: local-subprocess, "
                f"config: {{max_workers: 2, start: {executor}}}}}\n"
            )
            config = ["-c", "sub.yaml"]
        args = ["run", str(REPO / "examples" / pipeline), "--run-id", "r", *config]
        if params:
            args += ["-p", str(REPO / "examples" / params)]
        result = cli(*args, env=env, cwd=run_dir)
        assert result.code == 0, result.stderr
        if executor == "local":
            logs[executor] = cli("runs", "show", "r", "--json", cwd=run_dir).json()
        else:
            logs[executor] = recorded(run_dir / ".run_log_store", "r")
    assert logs["local"]["status"] == "success"
    for start in starts:
        assert logs["local"]["parameters"] == logs[start]["parameters"], start
        assert comparable(logs["local"]) == comparable(logs[start]), start


# -- the differential suite: generated pipelines and values, on every executor ------------

DIFFERENTIAL = Path(__file__).parent / "pipelines" / "differential"
LONG = os.environ.get("RUNPLANE_LONG_TESTS") == "1"
#: local, local-subprocess in both start modes, and Argo through the test interpreter.
EVERYWHERE = ("local", "fork-server", "fresh", "argo")
SUBPROCESS = "executor: {{type: local-subprocess, config: {{max_workers: 2, start: {start}}}}}\n"
ARGO = (
    "executor: {type: argo, config: {image: differential, persistent_volumes: "
    "[{name: runplane-volume, mount_path: /mnt}]}}\n"
    "run_log_store: {type: file-system, config: {log_folder: /mnt/run_log_store}}\n"
    "catalog: {type: file-system, config: {catalog_location: /mnt/catalog}}\n"
)


@dataclass
class Outcome:
    log: dict[str, Any]
    received: dict[str, Any]


def scrub(value: Any) -> Any:
    """A run log's values with what may differ between processes taken out of references.

    A pickle's bytes (so its sha256) follow the order of a set's items, and str hashes
    differ between processes; path, format and type must still agree.
    """
    if isinstance(value, dict):
        if set(value) == {"$object"}:
            ref = value["$object"]
            return {"$object": {k: ref[k] for k in ("path", "format", "type")}}
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def agreeing(log: dict[str, Any]) -> dict[str, Any]:
    """What every executor must record alike: everything but times, ids and hashes."""
    return {
        "status": log["status"],
        "parameters": scrub(log["parameters"]),
        "steps": {
            path: {
                "status": step["status"],
                "parameters": scrub(step["parameters"]),
                "returns": scrub(step["returns"]),
                "metrics": step["metrics"],
                "branches": step["branches"],
                "attempts": [(a["status"], a["message"]) for a in step["attempts"]],
                "data": sorted(
                    (
                        e["name"],
                        e["stage"],
                        None if e["name"].startswith("objects/") else e["sha256"],
                    )
                    for e in step["data_catalog"]
                ),
            }
            for path, step in sorted(log["steps"].items())
        },
    }


def run_everywhere(
    cli: Cli, root: Path, spec: dict[str, Any], parameters: dict[str, Any]
) -> dict[str, Outcome]:
    """Run the spec's pipeline under every executor; each executor's run log and receipts."""
    image = root / "image"
    shutil.copytree(DIFFERENTIAL, image, ignore=shutil.ignore_patterns("__pycache__"))
    (image / "spec.json").write_text(json.dumps(spec))
    (image / "params.yaml").write_text(json.dumps(parameters))  # JSON is YAML
    outcomes = {}
    for executor in EVERYWHERE:
        out = root / f"out-{executor}"
        env = {"DIFF_OUT": str(out)}
        if executor == "argo":
            log = _argo(cli, root, image, env)
        else:
            work = root / executor
            shutil.copytree(image, work)
            config = SUBPROCESS.format(start=executor) if executor != "local" else ""
            (work / "c.yaml").write_text(config or "executor: {type: local}\n")
            run = ["run", "pipeline.py", "--run-id", "r", "-c", "c.yaml", "-p", "params.yaml"]
            result = cli(*run, env=env, cwd=work)
            assert result.code in (0, 1), result.stderr
            log = recorded(work / ".run_log_store", "r")
        received = {p.name: json.loads(p.read_text()) for p in (out / "received").glob("*")}
        outcomes[executor] = Outcome(log, received)
    return outcomes


def _argo(cli: Cli, root: Path, image: Path, env: dict[str, str]) -> dict[str, Any]:
    (root / "argo.yaml").write_text(ARGO)
    workflow = root / "wf.yaml"
    rendered = cli(
        "render",
        "pipeline.py",
        "-c",
        str(root / "argo.yaml"),
        "-o",
        str(workflow),
        "-p",
        "params.yaml",
        cwd=image,
    )
    assert rendered.code == 0, rendered.stderr
    volume, pods = root / "volume", root / "pods"
    volume.mkdir()
    pods.mkdir()
    interpreter = Interpreter(
        yaml.safe_load(workflow.read_text()),
        image=image,
        volumes={"runplane-volume": volume},
        scratch=pods,
        runplane=RUNPLANE,
        image_env=env,
    )
    interpreter.run("wf-test")
    try:
        return recorded(volume / "run_log_store", "wf-test")
    except RunplaneError:
        pytest.fail("\n".join(p.output for p in interpreter.pods if p.code))


def assert_agree(outcomes: dict[str, Outcome]) -> None:
    local = agreeing(outcomes["local"].log)
    for executor, outcome in outcomes.items():
        seen = agreeing(outcome.log)
        differing = {
            path: {"local": local["steps"].get(path), executor: seen["steps"].get(path)}
            for path in sorted(set(local["steps"]) | set(seen["steps"]))
            if local["steps"].get(path) != seen["steps"].get(path)
        }
        assert differing == {}, executor
        assert seen == local, executor
        assert outcome.received == outcomes["local"].received, executor


def diff_values() -> Any:
    """The recipes' module, imported as the steps import it (so type names match)."""
    spec = importlib.util.spec_from_file_location("diff_values", DIFFERENTIAL / "diff_values.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["diff_values"] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


#: The issue's table, and the rest of the README's: what each kind of return becomes.
TABLE = {
    "tuple": ["tuple", [["int", 1], ["int", 2]]],
    "int_keys": ["dict", [[["int", 1], ["str", "one"]]]],
    "table": ["table", [[["str", "a"], ["int", 1]]]],
    "nan": ["float", "nan"],
    "set": ["set", [["str", "x"], ["str", "y"]]],
    "bytes": ["bytes", "ab"],
    "date": ["date", [2026, 1, 2]],
    "point": ["point", [1, 2]],
    "level": ["level", 2],
    "nested": ["list", [["dict", [[["str", "k"], ["tuple", [["float", "inf"]]]]]]]],
    "json": ["dict", [[["str", "a"], ["list", [["int", 1], ["float", 2.5], ["none"]]]]]],
}


def test_the_returns_table_reads_the_same_on_every_executor(cli: Cli, tmp_path: Path) -> None:
    steps = [{"task": "make", "values": TABLE}, {"task": "take"}]
    outcomes = run_everywhere(cli, tmp_path, {"steps": steps}, {"items": [], "choice": "a"})
    assert_agree(outcomes)
    values = diff_values()
    receipt = outcomes["local"].received["take__attempt=1.json"]
    for name, recipe in TABLE.items():
        # Equal in value and exact type to what was returned, on local as elsewhere.
        assert receipt[name] == values.shape(values.build(recipe)), name
    returns = outcomes["local"].log["steps"]["make"]["returns"]
    assert returns["json"] == {"a": [1, 2.5, None]}  # exact JSON: in the run log as it is
    for name in set(TABLE) - {"json"}:
        assert "$object" in returns[name], name  # everything else: a pickle in the catalog


# Values: every kind of the README's table, nested.
_TEXT = st.text(st.characters(codec="utf-8"), max_size=4)
_HASHABLE_LEAF = st.one_of(
    st.just(["none"]),
    st.booleans().map(lambda b: ["bool", b]),
    st.integers(-(2**70), 2**70).map(lambda i: ["int", i]),
    _TEXT.map(lambda s: ["str", s]),
    st.floats().map(lambda f: ["float", f if math.isfinite(f) else str(f)]),
    st.text("abc", max_size=3).map(lambda s: ["bytes", s]),
    st.dates().map(lambda d: ["date", [d.year, d.month, d.day]]),
    st.sampled_from([1, 2]).map(lambda level: ["level", level]),
    st.tuples(st.integers(0, 9), st.integers(0, 9)).map(lambda p: ["point", list(p)]),
)
_HASHABLE = st.recursive(
    _HASHABLE_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=2).map(lambda items: ["tuple", items]),
        st.lists(inner, max_size=2).map(lambda items: ["frozenset", items]),
    ),
    max_leaves=3,
)
_STR_KEY = _TEXT.map(lambda s: ["str", s])
VALUES = st.recursive(
    _HASHABLE_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: ["list", items]),
        st.lists(inner, max_size=3).map(lambda items: ["tuple", items]),
        st.lists(_HASHABLE, max_size=3).map(lambda items: ["set", items]),
        st.lists(st.tuples(_STR_KEY, inner), max_size=3).map(lambda kv: ["dict", kv]),
        st.lists(st.tuples(_HASHABLE_LEAF, inner), max_size=2).map(lambda kv: ["dict", kv]),
        st.lists(st.tuples(_STR_KEY, inner), max_size=2).map(lambda kv: ["table", kv]),
    ),
    max_leaves=8,
)


def _tasks() -> st.SearchStrategy[dict[str, Any]]:
    plain = st.fixed_dictionaries(
        {"task": st.just(""), "value": st.none() | VALUES},
        optional={"fail": st.integers(0, 2), "attempts": st.integers(1, 2)},
    )
    handled = st.fixed_dictionaries(
        {
            "task": st.just(""),
            "value": st.none() | VALUES,
            "fail": st.just(1),
            "on_failure": st.lists(plain, min_size=1, max_size=1),
            "recover": st.booleans(),
        }
    )
    return plain | handled


def _steps(depth: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    step = _tasks()
    if depth > 0:
        inner = _steps(depth - 1)
        branches = st.dictionaries(st.sampled_from(["a", "b"]), inner, min_size=1)
        step = step | st.one_of(
            st.fixed_dictionaries({"parallel": st.just(""), "branches": branches}),
            st.fixed_dictionaries({"map": st.just(""), "branch": inner}),
            st.fixed_dictionaries({"conditional": st.just(""), "branches": branches}),
            st.fixed_dictionaries(
                {"loop": st.just(""), "branch": inner, "iterations": st.integers(1, 3)}
            ),
        )
    return st.lists(step, min_size=1, max_size=2 if depth < 3 else 3)


def _named(steps: list[dict[str, Any]], names: Iterator[int]) -> int:
    """Give every step a unique name; the number of task executions it may cost."""
    cost = 0
    for step in steps:
        kind = next(k for k in ("task", "parallel", "map", "conditional", "loop") if k in step)
        step[kind] = f"{kind[0]}{next(names)}"
        if kind == "task":
            cost += 1 + step.get("fail", 0) + len(step.get("on_failure") or [])
            for handler in step.get("on_failure") or []:
                handler["task"] = f"h{next(names)}"
        elif "branches" in step:
            cost += sum(_named(branch, names) for branch in step["branches"].values())
        else:
            cost += _named(step["branch"], names) * (2 if kind == "map" else step["iterations"])
    return cost


@st.composite
def pipelines(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    steps = draw(_steps(3))
    cost = _named(steps, itertools.count(1))
    assume(cost <= (30 if LONG else 6))  # task executions: each is a process or a pod
    parameters = {
        "items": draw(st.lists(st.integers(0, 9), max_size=2)),
        "choice": draw(st.sampled_from(["a", "b", "c"])),  # "c": no branch, the step fails
    }
    return {"steps": steps}, parameters


@pytest.mark.timeout(6 * 3600 if LONG else 300)
@settings(
    max_examples=50 if LONG else 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(pipelines())
def test_generated_pipelines_agree_on_every_executor(
    cli: Cli, tmp_path_factory: pytest.TempPathFactory, case: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    spec, parameters = case
    root = tmp_path_factory.mktemp("differential")
    note(f"spec: {json.dumps(spec)}\nparameters: {json.dumps(parameters)}")
    assert_agree(run_everywhere(cli, root, spec, parameters))
