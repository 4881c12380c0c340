"""Projector sizes for lecture mode: every chart text ≥ 20 px, diagram text ≥ 18 px, one figure per screen.

The scenes draw the pages' own chart specs and diagrams; these helpers only scale them up (fonts, height),
so the lecture shows exactly what the page computes.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any

CHART_TEXT_PX = 20  # smallest chart text in lecture mode (axis, legend, title, in-chart labels)
DIAGRAM_TEXT_PX = 18  # smallest diagram (Graphviz) text in lecture mode
FIGURE_PX = 500  # the figure's height on screen (title, axes and legend included): ≥ 60 % of a 720-px projector
FONT_KEYS = re.compile(r"(^fontSize$|FontSize$)")

# Streamlit's chart theme pads titles (26 px), axes and legends for a page; on a projector that space is the plot's.
LECTURE_CONFIG: dict[str, dict[str, Any]] = {
    "axis": {"labelFontSize": 20, "titleFontSize": 22, "titleFontWeight": "normal", "labelLimit": 400,
             "labelPadding": 6, "titlePadding": 8},
    "legend": {"labelFontSize": 20, "titleFontSize": 20, "labelLimit": 500, "symbolSize": 220, "offset": 10,
               "padding": 2, "labelPadding": 6},
    "title": {"fontSize": 24, "subtitleFontSize": 20, "anchor": "start", "offset": 10},
    "header": {"labelFontSize": 20, "titleFontSize": 22},
    "text": {"fontSize": 20},
    "mark": {"fontSize": 20},
}


def _raise_fonts(node: Any, floor: float) -> None:
    """Every ``fontSize``/``*FontSize`` number in a spec (marks, legends, titles, layers) raised to ``floor``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and FONT_KEYS.search(key):
                node[key] = max(value, floor)
            else:
                _raise_fonts(value, floor)
    elif isinstance(node, list):
        for item in node:
            _raise_fonts(item, floor)


def lecture_spec(spec: dict, height: int | None = None) -> dict:
    """A copy of a page's Vega-Lite spec at lecture size: fonts ≥ CHART_TEXT_PX, the plot ``height`` px tall."""
    datasets = spec.get("datasets")
    out = copy.deepcopy({k: v for k, v in spec.items() if k != "datasets"})
    if datasets is not None:
        out["datasets"] = dict(datasets)  # DataFrames are shared, not copied
    config = out.setdefault("config", {})
    for group, values in LECTURE_CONFIG.items():
        config[group] = {**config.get(group, {}), **values}
    _raise_fonts({k: v for k, v in out.items() if k != "datasets"}, CHART_TEXT_PX)
    if isinstance(out.get("title"), str):
        out["title"] = {"text": out["title"]}
    if height is not None and not any(k in out for k in ("hconcat", "vconcat", "concat", "facet")):
        out["height"] = int(height)
        out["autosize"] = {"type": "fit", "contains": "padding"}  # title, axes and legend inside the height
    return out


def side_by_side(specs: Sequence[dict], height: int | None = None, width: int = 520) -> dict:
    """Two or more layered specs as one hconcat figure; each part's data sets renamed so they cannot collide."""
    parts, datasets = [], {}
    for i, spec in enumerate(specs):
        body = {k: v for k, v in spec.items() if k not in ("datasets", "config", "$schema")}
        text = json.dumps(body)
        for name, frame in (spec.get("datasets") or {}).items():
            text = text.replace(json.dumps({"name": name}), json.dumps({"name": f"p{i}_{name}"}))
            datasets[f"p{i}_{name}"] = frame
        part = json.loads(text)
        if height is not None:
            part["height"] = int(height)
        part["width"] = int(width)
        parts.append(part)
    config = copy.deepcopy(specs[0].get("config", {})) if specs else {}
    return {"hconcat": parts, "datasets": datasets, "config": config, "resolve": {"scale": {"color": "independent"}}}


_DOT_FONT = re.compile(r"fontsize\s*=\s*([0-9.]+)")


def lecture_dot(dot: str, floor: float = DIAGRAM_TEXT_PX, compact: bool = False) -> str:
    """A Graphviz source with every fontsize raised to ``floor`` and a default node/edge size of ``floor``.

    ``compact``: boxes instead of ellipses (an ellipse is √2 wider than its text) and tighter spacing, for a
    long graph that the screen would otherwise shrink below the floor, laid out left to right.
    """
    raised = _DOT_FONT.sub(lambda m: f"fontsize={max(float(m.group(1)), floor):g}", dot)
    if compact:
        raised = raised.replace("shape=ellipse", 'shape=box, style="rounded,filled"')
    head, brace, rest = raised.partition("{")
    body, close, tail = rest.rpartition("}")
    spacing = "  rankdir=LR;\n" if compact else ""  # the projector is wide: a long chain runs left to right
    return f"{head}{brace}\n  node [fontsize={floor:g}]; edge [fontsize={floor:g}];{body}{spacing}{close}{tail}"
