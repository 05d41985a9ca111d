"""The graph as Mermaid or Graphviz DOT text: composite steps become clusters."""

from __future__ import annotations

from runplane.adapters.presentation.picture import Box, Item

#: Fill colours by status (also used by the HTML drawing).
COLOURS = {
    "success": ("#d1fadf", "#12b76a"),
    "fail": ("#fee4e2", "#f04438"),
    "processing": ("#fef0c7", "#f79009"),
    "not run": ("#f2f4f7", "#98a2b3"),
}


def _label(item: Item) -> str:
    text = item.name + (f"\n{item.note}" if item.note else "")
    return text.replace('"', "'")


def mermaid(box: Box) -> str:
    """A Mermaid flowchart, top to bottom; statuses become classes."""
    lines = ["flowchart TD"]
    _mermaid_box(box, lines, "  ")
    for source, target, failure in _all_edges(box):
        arrow = "-. on failure .->" if failure else "-->"
        lines.append(f"  {source} {arrow} {target}")
    for status, (fill, stroke) in COLOURS.items():
        lines.append(f"  classDef {status.replace(' ', '_')} fill:{fill},stroke:{stroke}")
    for item in _all_items(box):
        if item.status:
            lines.append(f"  class {item.id} {item.status.replace(' ', '_')}")
    return "\n".join(lines) + "\n"


def _mermaid_box(box: Box, lines: list[str], indent: str) -> None:
    for item in box.items:
        label = _label(item).replace("\n", "<br/>")
        if item.branches:
            lines.append(f'{indent}subgraph {item.id}["{label}"]')
            lines.append(f"{indent}  direction TB")
            for branch in item.branches:
                lines.append(f'{indent}  subgraph {branch.id}["{branch.label}"]')
                _mermaid_box(branch, lines, indent + "    ")
                lines.append(f"{indent}  end")
            lines.append(f"{indent}end")
        elif item.kind in ("success", "fail"):
            lines.append(f'{indent}{item.id}(["{label}"])')
        else:
            lines.append(f'{indent}{item.id}["{label}"]')


def dot(box: Box) -> str:
    """A Graphviz digraph; each composite step is a cluster with an anchor node edges attach to."""
    lines = [
        "digraph pipeline {",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
        f'  label="{box.label}"; labelloc=t;',
    ]
    _dot_box(box, lines, "  ")
    for source, target, failure in _all_edges(box):
        style = ' [style=dashed, color="#f04438", label="on failure"]' if failure else ""
        lines.append(f"  {source} -> {target}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_box(box: Box, lines: list[str], indent: str) -> None:
    for item in box.items:
        label = _label(item).replace("\n", "\\n")
        fill = f', fillcolor="{COLOURS[item.status][0]}"' if item.status else ""
        if item.branches:
            lines.append(f"{indent}subgraph cluster_{item.id} {{")
            lines.append(f'{indent}  label="{item.name}"; style=rounded;')
            lines.append(f'{indent}  {item.id} [label="{label}", shape=component{fill}];')
            for branch in item.branches:
                lines.append(f"{indent}  subgraph cluster_{branch.id} {{")
                lines.append(f'{indent}    label="{branch.label}"; style=dashed;')
                _dot_box(branch, lines, indent + "    ")
                lines.append(f"{indent}  }}")
            lines.append(f"{indent}}}")
        elif item.kind in ("success", "fail"):
            lines.append(f'{indent}{item.id} [label="{label}", shape=oval{fill}];')
        else:
            lines.append(f'{indent}{item.id} [label="{label}"{fill}];')


def _all_items(box: Box) -> list[Item]:
    found = []
    for item in box.items:
        found.append(item)
        for branch in item.branches:
            found.extend(_all_items(branch))
    return found


def _all_edges(box: Box) -> list[tuple[str, str, bool]]:
    edges = [(e.source, e.target, e.failure) for e in box.edges]
    for item in box.items:
        for branch in item.branches:
            edges.extend(_all_edges(branch))
    return edges
