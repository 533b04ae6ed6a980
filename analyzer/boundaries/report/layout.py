"""The service map's geometry, computed here so the report needs no layout tool.

Places sit on an ellipse in a fixed order (the monolith at the top, then the services by
name clockwise, the shared libraries last), so the same placement always draws the same
picture, big enough that neighbouring boxes never touch. Calls are quadratic curves from
edge to edge of two boxes, bent towards the middle of the map (so they pass inside the
ring rather than behind the boxes on it) and bowed to one side of their direction (so
calls A -> B and B -> A run side by side). Their width grows with the square root of the
call count; calls into shared code, which stay in process, are on a lighter scale of
their own. Only the `MAX_ARROWS` strongest calls are drawn, so a map of 30 services stays
readable; the report's call matrix has every one of them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..placement import MONOLITH, SHARED
from .model import Arrow, Box, ServiceMap

BOX_HEIGHT = 46.0
CHAR_WIDTH = 7.6  # of the 13px label font, generous so labels never spill
MIN_BOX_WIDTH = 120.0
MARGIN = 40.0
MIN_RADIUS = 260.0
H_GAP, V_GAP = 90.0, 70.0  # free space between neighbouring boxes at the top and at the sides
MIN_STROKE, MAX_STROKE = 1.2, 8.0
MAX_LOCAL_STROKE = 3.5  # calls into shared code stay in process: drawn lighter, scaled on their own
BOW = 0.12  # how far a curve bows to one side, as a share of its length
PULL = 0.45  # how far a curve bends towards the middle of the map, away from the boxes on the ring
MAX_ARROWS = 40  # the strongest calls drawn; the rest are counted in `ServiceMap.hidden`
ARROW_GAP = 15.0  # from the curve's end to the box: the arrowhead (12) drawn beyond the end, and a little air


def layout_map(places: Sequence[tuple[str, int, int]], calls: Mapping[tuple[str, str], int]) -> ServiceMap:
    """`places`: (name, units, lines) in drawing order; `calls`: (from, to) -> call sites."""
    widths = [max(MIN_BOX_WIDTH, CHAR_WIDTH * max(len(name), len(_caption(u, s))) + 24) for name, u, s in places]
    count = len(places)
    widest = max(widths, default=MIN_BOX_WIDTH)
    step = 2 * math.sin(math.pi / count) if count > 1 else 1.0  # neighbour distance on a unit circle
    rx = max(MIN_RADIUS, (widest + H_GAP) / step) if count > 1 else 0.0
    ry = max(rx * 0.6, (BOX_HEIGHT + V_GAP) / step) if count > 1 else 0.0
    cx, cy = MARGIN + widest / 2 + rx, MARGIN + BOX_HEIGHT / 2 + ry
    boxes = []
    for i, ((name, units, lines), width) in enumerate(zip(places, widths, strict=True)):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        x, y = cx + rx * math.cos(angle) - width / 2, cy + ry * math.sin(angle) - BOX_HEIGHT / 2
        boxes.append(Box(name, _kind(name), _r(x), _r(y), _r(width), BOX_HEIGHT, _caption(units, lines),
                         _r(x + width / 2), _r(y + 19), _r(y + 35)))
    by_name = {b.place: b for b in boxes}
    between = {(a, b): n for (a, b), n in calls.items() if a in by_name and b in by_name and a != b}
    strongest = sorted(between.items(), key=lambda item: (-item[1], item[0]))[:MAX_ARROWS]
    drawn = dict(sorted(strongest))
    heaviest = {local: max((n for (_, b), n in drawn.items() if (b == SHARED) == local), default=1)
                for local in (False, True)}
    arrows = tuple(_arrow(by_name[a], by_name[b], n, heaviest[b == SHARED], (cx, cy)) for (a, b), n in drawn.items())
    return ServiceMap(_r(2 * cx), _r(2 * cy), tuple(boxes), arrows, len(between) - len(drawn))


def _caption(units: int, lines: int) -> str:
    return f"{units} module{'s' if units != 1 else ''}, {lines:,} lines"


def _kind(place: str) -> str:
    return place if place in (MONOLITH, SHARED) else "service"


def _arrow(source: Box, target: Box, calls: int, heaviest: int, middle: tuple[float, float]) -> Arrow:
    (x0, y0), (x1, y1) = _centre(source), _centre(target)
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = (y1 - y0) / length, -(x1 - x0) / length  # the right-hand normal in SVG's y-down frame
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    qx = mx - nx * BOW * length + (middle[0] - mx) * PULL
    qy = my - ny * BOW * length + (middle[1] - my) * PULL
    sx, sy = _edge(source, qx, qy, 0.0)
    ex, ey = _edge(target, qx, qy, ARROW_GAP)
    local = target.place == SHARED
    width = MIN_STROKE + ((MAX_LOCAL_STROKE if local else MAX_STROKE) - MIN_STROKE) * math.sqrt(calls / heaviest)
    plural = "s" if calls != 1 else ""
    title = f"{source.place} -> {target.place}: {calls} call site{plural}" + (" (in process)" if local else "")
    return Arrow(source.place, target.place, calls, _r(width),
                 f"M {_r(sx)} {_r(sy)} Q {_r(qx)} {_r(qy)} {_r(ex)} {_r(ey)}",
                 _r(0.25 * sx + 0.5 * qx + 0.25 * ex), _r(0.25 * sy + 0.5 * qy + 0.25 * ey + 4), local, title)


def _centre(box: Box) -> tuple[float, float]:
    return box.x + box.width / 2, box.y + box.height / 2


def _edge(box: Box, towards_x: float, towards_y: float, gap: float) -> tuple[float, float]:
    """Where the line from the box's centre towards a point leaves the box, `gap` beyond it."""
    cx, cy = _centre(box)
    dx, dy = towards_x - cx, towards_y - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(box.width / 2 / abs(dx) if dx else math.inf, box.height / 2 / abs(dy) if dy else math.inf)
    length = math.hypot(dx, dy)
    return cx + dx * scale + dx / length * gap, cy + dy * scale + dy / length * gap


def _r(value: float) -> float:
    return round(value, 1)
