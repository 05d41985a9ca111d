"""The graph as one self-contained HTML page: inline SVG laid out here, a few lines of inline JS.

Nothing is fetched: no fonts, scripts or styles from a network, so the file opens offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from runplane.adapters.presentation.graph_text import COLOURS
from runplane.adapters.presentation.picture import Box, Item

NODE_H, NOTE_H, GAP_Y, PAD, HEAD, BRANCH_GAP, SIDE, LABEL_H = 38, 14, 30, 12, 26, 18, 44, 18
CHAR_W = 7.0  # average glyph width of the 12px system font, for sizing boxes


@dataclass
class _Rect:
    x: float
    y: float
    w: float
    h: float


def _size_item(item: Item) -> tuple[float, float]:
    if not item.branches:
        text = max(len(item.name), int(len(item.note) * 0.85))
        return max(110.0, CHAR_W * text + 28), NODE_H + (NOTE_H if item.note else 0)
    sizes = [_size_box(b) for b in item.branches]
    header = CHAR_W * (len(item.name) + len(item.note) + 3) + 2 * PAD
    width = sum(w for w, _ in sizes) + BRANCH_GAP * (len(sizes) - 1) + 2 * PAD
    return max(width, header), HEAD + max(h for _, h in sizes) + PAD


def _size_box(box: Box) -> tuple[float, float]:
    sizes = [_size_item(i) for i in box.items]
    width = max(w for w, _ in sizes) + SIDE
    return width, LABEL_H + sum(h for _, h in sizes) + GAP_Y * (len(sizes) - 1) + PAD


class _Drawing:
    """Places boxes top to bottom (branches side by side) and collects SVG elements."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.nodes = 0

    def box(self, box: Box, x: float, y: float, width: float, outlined: bool) -> None:
        if outlined:
            _, height = _size_box(box)
            self.parts.append(
                f'<rect class="branch" x="{x:.0f}" y="{y:.0f}" width="{width:.0f}" '
                f'height="{height:.0f}" rx="8"/><text class="branch-label" x="{x + 8:.0f}" '
                f'y="{y + 13:.0f}">{escape(box.label)}</text>'
            )
        placed: dict[str, _Rect] = {}
        top = y + LABEL_H
        centre = x + (width - SIDE) / 2 + SIDE / 4
        for item in box.items:
            w, h = _size_item(item)
            rect = _Rect(centre - w / 2, top, w, h)
            placed[item.id] = rect
            self.item(item, rect)
            top += h + GAP_Y
        order = [item.id for item in box.items]
        for edge in box.edges:
            src, dst = placed.get(edge.source), placed.get(edge.target)
            if src is None or dst is None:
                continue
            adjacent = order.index(edge.target) == order.index(edge.source) + 1
            self.edge(src, dst, straight=adjacent and not edge.failure, failure=edge.failure)

    def item(self, item: Item, r: _Rect) -> None:
        fill, stroke = COLOURS.get(item.status or "", ("#ffffff", "#475467"))
        data = (
            f'data-path="{escape(item.path)}" data-kind="{item.kind}" '
            f'data-status="{escape(item.status or "")}" data-note="{escape(item.note)}"'
        )
        title = (
            f"<title>{escape(item.path)} {escape(item.status or '')} {escape(item.note)}</title>"
        )
        self.nodes += 1
        if item.branches:
            self.parts.append(
                f'<g class="node composite" id="{item.id}" {data}>{title}'
                f'<rect x="{r.x:.0f}" y="{r.y:.0f}" width="{r.w:.0f}" height="{r.h:.0f}" rx="10" '
                f'fill="{fill}" fill-opacity="0.35" stroke="{stroke}"/>'
                f'<text class="name" x="{r.x + PAD:.0f}" y="{r.y + 17:.0f}">{escape(item.name)}'
                f'<tspan class="note"> {escape(item.note)}</tspan></text></g>'
            )
            left = r.x + PAD
            for branch in item.branches:
                w, _ = _size_box(branch)
                self.box(branch, left, r.y + HEAD, w, outlined=True)
                left += w + BRANCH_GAP
            return
        radius = 19 if item.kind in ("success", "fail") else 6
        note = (
            f'<text class="note" x="{r.x + r.w / 2:.0f}" y="{r.y + 36:.0f}">'
            f"{escape(item.note)}</text>"
            if item.note
            else ""
        )
        self.parts.append(
            f'<g class="node" id="{item.id}" {data}>{title}'
            f'<rect x="{r.x:.0f}" y="{r.y:.0f}" width="{r.w:.0f}" height="{r.h:.0f}" '
            f'rx="{radius}" fill="{fill}" stroke="{stroke}"/>'
            f'<text class="name" x="{r.x + r.w / 2:.0f}" y="{r.y + 23:.0f}" '
            f'text-anchor="middle">{escape(item.name)}</text>{note}</g>'
        )

    def edge(self, src: _Rect, dst: _Rect, *, straight: bool, failure: bool) -> None:
        cls = "edge failure" if failure else "edge"
        if straight:
            x = src.x + src.w / 2
            path = f"M{x:.0f},{src.y + src.h:.0f} L{x:.0f},{dst.y - 2:.0f}"
        else:
            x1, y1 = src.x + src.w, src.y + src.h / 2
            x2, y2 = dst.x + dst.w, dst.y + dst.h / 2
            bend = max(x1, x2) + SIDE * 0.7
            path = (
                f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} {bend:.0f},{y2:.0f} {x2 + 2:.0f},{y2:.0f}"
            )
        self.parts.append(f'<path class="{cls}" d="{path}" marker-end="url(#arrow)"/>')


def svg(box: Box) -> tuple[str, int]:
    """The inline SVG of a graph and how many nodes it draws (also used by `runplane ui`)."""
    drawing = _Drawing()
    width, height = _size_box(box)
    drawing.box(box, 10, 10, width, outlined=False)
    picture = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 20:.0f}" '
        f'height="{height + 20:.0f}" viewBox="0 0 {width + 20:.0f} {height + 20:.0f}">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#667085"/></marker></defs>' + "".join(drawing.parts) + "</svg>"
    )
    return picture, drawing.nodes


def legend() -> str:
    """One coloured key per status."""
    return "".join(
        f'<span class="key" style="background:{fill};border-color:{stroke}">{status}</span>'
        for status, (fill, stroke) in COLOURS.items()
    )


def html(box: Box, title: str) -> str:
    """The page: a header, the SVG, a legend and a detail line filled on click."""
    picture, count = svg(box)
    return _PAGE.format(title=escape(title), svg=picture, legend=legend(), count=count)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 13px system-ui, sans-serif; margin: 16px; color: #101828; }}
svg text {{ font: 12px system-ui, sans-serif; fill: #101828; }}
svg .note {{ fill: #475467; font-size: 11px; text-anchor: middle; }}
svg .composite .note {{ text-anchor: start; }}
svg .name {{ font-weight: 600; }}
svg .branch {{ fill: none; stroke: #98a2b3; stroke-dasharray: 4 3; }}
svg .branch-label {{ fill: #667085; font-size: 11px; }}
svg .edge {{ fill: none; stroke: #667085; stroke-width: 1.4; }}
svg .edge.failure {{ stroke: #f04438; stroke-dasharray: 5 3; }}
svg .node {{ cursor: pointer; }}
svg .node.selected > rect {{ stroke-width: 3; }}
.key {{ border: 1px solid; border-radius: 4px; padding: 1px 6px; margin-right: 6px; }}
#detail {{ min-height: 1.4em; margin: 8px 0; color: #344054; }}
</style></head>
<body data-nodes="{count}">
<h1 style="font-size:16px">{title}</h1>
<div>{legend}</div>
<div id="detail">click a step for its details</div>
{svg}
<script>
(function () {{
  var detail = document.getElementById("detail");
  var nodes = document.querySelectorAll("g.node");
  nodes.forEach(function (node) {{
    node.addEventListener("click", function (event) {{
      event.stopPropagation();
      nodes.forEach(function (other) {{ other.classList.remove("selected"); }});
      node.classList.add("selected");
      var d = node.dataset;
      detail.textContent = d.path + " (" + d.kind + ")" + (d.status ? ": " + d.status : "") +
        (d.note ? " | " + d.note : "");
    }});
  }});
  document.body.setAttribute("data-rendered", String(nodes.length));
}})();
</script>
</body></html>
"""
