"""Reading the YAML files users give (configuration, parameters, pipelines), within bounds.

`yaml.safe_load` builds no objects of arbitrary types, but it still accepts a few bytes of
aliases that expand into billions of nodes (the "billion laughs"), a file of any size,
nesting deep enough to exhaust the stack, and it reports bytes that are not UTF-8 with a
decoder traceback. Here each of those is refused with a message naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from runplane.domain.errors import RunplaneError

#: Largest YAML file read (10 MiB); bigger data belongs in files passed through the catalog.
MAX_BYTES = 10 * 1024 * 1024
#: Most nodes a document may have once its aliases are expanded.
MAX_NODES = 1_000_000


def read_yaml(path: Path, what: str, error: type[RunplaneError]) -> Any:
    """The document in `path`; `what` names the file in errors, raised as `error`.

    A syntax error is placed by line and column: "<what> '<path>' is not valid YAML at line
    L, column C: <problem>".
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise error(
            f"{what} '{path}' is {size:,} bytes; the limit is {MAX_BYTES:,} bytes (10 MiB): "
            "pass large data as files through the catalog instead"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(
            f"{what} '{path}' is not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line}; "
            "save the file as UTF-8"
        ) from None
    try:
        return _document(yaml.SafeLoader(text), path, what, error)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{what} '{path}' is not valid YAML{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:  # a character YAML does not allow, among others
        raise error(f"{what} '{path}' is not valid YAML: {exc}") from None


def _document(loader: yaml.SafeLoader, path: Path, what: str, error: type[RunplaneError]) -> Any:
    """The loader's one document, refused when its aliases expand too far or nest too deep."""
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        nodes = _expanded_size(node, path, what, error)
        if nodes > MAX_NODES:
            raise error(
                f"{what} '{path}' expands to more than {MAX_NODES:,} values through its "
                "aliases (*name); write the values out, or use fewer nested aliases"
            )
        return loader.construct_document(node)
    except RecursionError:
        raise error(f"{what} '{path}' is nested too deeply to read") from None
    finally:
        loader.dispose()


def _expanded_size(root: yaml.Node, path: Path, what: str, error: type[RunplaneError]) -> int:
    """How many nodes the document has with every alias expanded (counted, not built)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise error(f"{what} '{path}' has an alias inside its own anchor (a cycle)")
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)  # capped: the count only has to pass the bound
        return sizes[key]

    return size(root)
