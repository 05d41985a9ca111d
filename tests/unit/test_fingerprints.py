"""Input fingerprints: equal exactly when a step would consume the same inputs."""

import hashlib
import json
from pathlib import Path, PurePosixPath

from hypothesis import example, given, settings
from hypothesis import strategies as st

from runplane import Catalog, Pipeline, PythonTask
from runplane.domain.catalog_spec import CatalogSpec
from runplane.domain.fingerprints import (
    _CANONICAL,
    PIPELINE_MODULE_PREFIX,
    consumed,
    definition,
    definition_text,
    fingerprint,
    fingerprint_of,
)
from runplane.domain.graph import Node, NodeKind, ReturnKind, ReturnSpec, TaskSpec
from runplane.sdk import service


def work(x: int) -> int:
    return x


NODE = Pipeline([PythonTask(work, returns=["y"], catalog=Catalog(get=["in.csv"]))]).graph["work"]


def test_the_same_inputs_give_the_same_fingerprint_whatever_their_order() -> None:
    one = fingerprint(definition(NODE), {"x": 1, "z": [1, 2]}, [("a", "1"), ("b", "2")])
    two = fingerprint(definition(NODE), {"z": [1, 2], "x": 1}, [("b", "2"), ("a", "1")])
    assert one == two


def test_a_parameter_a_file_or_the_definition_changes_the_fingerprint() -> None:
    base = fingerprint(definition(NODE), {"x": 1}, [("in.csv", "aa")])
    other = Pipeline([PythonTask(work, returns=["w"])]).graph["work"]
    assert fingerprint(definition(NODE), {"x": 2}, [("in.csv", "aa")]) != base
    assert fingerprint(definition(NODE), {"x": 1}, [("in.csv", "bb")]) != base
    assert fingerprint(definition(NODE), {"x": 1}, [("in.csv", None)]) != base
    assert fingerprint(definition(other), {"x": 1}, [("in.csv", "aa")]) != base


def test_only_parameters_the_run_provided_count() -> None:
    assert consumed(["x", "default_only"], {"x": 1, "unread": 2}) == {"x": 1}


def test_a_pipeline_file_moved_to_another_folder_keeps_its_steps_fingerprints(
    tmp_path: Path,
) -> None:
    """A retry from another checkout (or in another pod's folder) reuses what it can."""
    text = "from runplane import Pipeline, PythonTask\n\ndef first():\n    return 1\n\n"
    text += "pipeline = Pipeline([PythonTask(first, returns=['one'])])\n"
    definitions = []
    for folder in ("here", "there"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "p.py").write_text(text)
        graph = service(None).load_pipeline(str(tmp_path / folder / "p.py"))
        assert graph["first"].task is not None
        assert graph["first"].task.command.startswith(PIPELINE_MODULE_PREFIX)  # path-named
        definitions.append(definition(graph["first"]))
    assert definitions[0] == definitions[1]
    assert definitions[0]["command"] == "pipeline.first"


def test_a_script_run_as_main_and_its_reload_for_a_retry_share_fingerprints() -> None:
    """`python pipeline.py` names the functions `__main__.f`; `runplane retry` reloads the
    file as a `runplane_pipeline_<hash>` module: the same step, so it is reused."""

    def first() -> int:
        return 1

    first.__module__ = "__main__"
    as_script = Pipeline([PythonTask(first, returns=["one"])]).graph["first"]
    assert definition(as_script)["command"].startswith("pipeline.")
    reloaded = Pipeline([PythonTask(work, returns=["y"])]).graph["work"]
    assert definition(reloaded)["command"] == f"{__name__}.work"  # other modules stay named


class _Opaque:
    """A value only `str` can encode (the fallback a fingerprint allows)."""

    def __str__(self) -> str:
        return "opaque ✓"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@example(parameters={"é": True, "a": None, "b": -3, "c": "x\n", "d": False}, files=[])
@example(parameters={"f": 1.5, "n": 2**70}, files=[])
@settings(max_examples=60, deadline=None)
@given(
    parameters=st.dictionaries(st.text(), _JSON | st.just(_Opaque()), max_size=4),
    files=st.lists(
        st.tuples(st.text(), st.none() | st.text(min_size=1)), max_size=3, unique_by=lambda f: f[0]
    ),
)
def test_the_encoded_definition_gives_the_hash_runs_recorded_before_it(
    parameters: dict[str, object], files: list[tuple[str, str | None]]
) -> None:
    """Fingerprints recorded by earlier versions hashed the whole document in one go: a
    step of such a run is reused by a retry only if the hash is still the same."""
    document = {
        "definition": definition(NODE),
        "parameters": parameters,
        "files": sorted([name, sha256] for name, sha256 in files),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    recorded = hashlib.sha256(text.encode()).hexdigest()
    assert fingerprint_of(definition_text(NODE), parameters, files) == recorded
    assert fingerprint(definition(NODE), parameters, files) == recorded


_NAMES = st.text(min_size=1, max_size=8)  # any characters: escapes and non-ASCII too
#: Catalog patterns CatalogSpec accepts: any characters, but not blank, absolute or with '..'.
_PATTERNS = _NAMES.filter(
    lambda p: p.strip() != "" and not p.startswith("/") and ".." not in PurePosixPath(p).parts
)


@settings(max_examples=60, deadline=None)
@given(
    kind=_NAMES,
    command=st.sampled_from(["", "__main__.", f"{PIPELINE_MODULE_PREFIX}0a1b.", "m."]).flatmap(
        lambda prefix: _NAMES.map(lambda name: prefix + name)
    ),
    returns=st.lists(
        st.tuples(
            st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True), st.sampled_from(ReturnKind)
        ),
        max_size=3,
        unique_by=lambda r: r[0],
    ),
    get=st.lists(_PATTERNS, max_size=3),
    put=st.lists(_PATTERNS, max_size=3),
)
def test_the_written_definition_is_the_encoders_canonical_json(
    kind: str,
    command: str,
    returns: list[tuple[str, ReturnKind]],
    get: list[str],
    put: list[str],
) -> None:
    """`definition_text` writes the JSON itself: it must be the encoder's, byte for byte."""
    task = TaskSpec(
        kind=kind,
        command=command,
        returns=tuple(ReturnSpec(name, how) for name, how in returns),
        catalog=CatalogSpec(get=tuple(get), put=tuple(put)),
    )
    for node in (Node("n", NodeKind.TASK, task=task), Node("s", NodeKind.STUB)):
        assert definition_text(node) == _CANONICAL.encode(definition(node))
