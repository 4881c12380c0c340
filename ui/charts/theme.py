"""The one chart style of the app: Okabe–Ito colours, dash patterns, and text sizes that read on a projector.

Every chart and diagram takes its colours and sizes from here:

- ``PALETTE`` — the Okabe–Ito colours (colour-blind safe), in the order series get them; ``color(i)`` and
  ``dash(i)`` give the i-th series its colour and, past the palette's length, a dash pattern.
  ``NAMED`` pins a colour to a name (class 0/1, f/f′, loss/accuracy, ...) so it keeps it across a page.
- ``sizes()`` — the current text sizes in px: ``"page"`` (≥ 14 px, ordinary pages) or ``"lecture"``
  (≥ 20 px chart text, ≥ 18 px diagram text).
- ``style(spec_or_chart)`` — puts the current sizes and palette into a Vega-Lite dict's ``config`` (or an Altair
  chart's ``configure``); every builder in ui/ calls it last, so the scale is read when the chart is drawn.

Lecture mode switches the scale for the current script run (a ``ContextVar``, so other sessions keep theirs)::

    from ui.charts import theme
    theme.use_scale("lecture")          # from here on in this run, charts and diagrams are lecture-sized
    with theme.scale("lecture"): ...    # or only inside the block

Charts never set a font size themselves: the config carries them (a spec's own size would win over it).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

# Okabe & Ito (2008), "Color Universal Design": distinct for protan, deutan and tritan viewers.
BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
PURPLE, SKY, YELLOW, BLACK = "#CC79A7", "#56B4E9", "#F0E442", "#000000"
PALETTE = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, BLACK, YELLOW]  # yellow last: faint on white
GREY, LIGHT_GREY = "#6b6b6b", "#bdbdbd"
DASHES = [[1, 0], [8, 4], [2, 3], [10, 3, 2, 3]]  # solid, dashed, dotted, dash-dot
# Names that keep one colour wherever they appear.
NAMED = {
    "class 0": BLUE, "class 1": VERMILLION,
    "f": BLUE, "f′": VERMILLION, "target": ORANGE,
    "loss": BLUE, "accuracy": VERMILLION, "best": GREEN,
    "true": GREEN, "predicted": VERMILLION, "other": LIGHT_GREY,
}
SEQUENTIAL, DIVERGING = "blues", "blueorange"  # colour-blind-safe Vega schemes for values
# Schemes used where a value maps to colour (probabilities, weights): blue ↔ orange stays apart for deutans.


@dataclass(frozen=True)
class Sizes:
    """Text sizes in px (graphviz: pt in the DOT source, drawn 1 pt = 1 px by st.graphviz_chart)."""

    tick: int  # axis tick labels, legend labels, in-chart text
    label: int  # axis and legend titles
    title: int  # chart titles
    diagram: int  # graphviz node and edge labels
    diagram_small: int  # secondary diagram text (cluster captions)


SCALES = {
    "page": Sizes(tick=14, label=15, title=17, diagram=15, diagram_small=14),
    "lecture": Sizes(tick=20, label=21, title=24, diagram=20, diagram_small=18),
}
MIN_PX = {"page": 14, "lecture": 20}  # the floor the tests hold every chart's text to
MIN_DIAGRAM_PX = {"page": 14, "lecture": 18}
DEFAULT_SCALE = "page"  # the scale when a run has not chosen one (tests may switch it for a whole AppTest run)
_scale: contextvars.ContextVar[str | None] = contextvars.ContextVar("chart_scale", default=None)


def use_scale(name: str) -> None:
    """Make ``name`` ("page" or "lecture") the scale of every chart built from now on in this script run."""
    if name not in SCALES:
        raise ValueError(f"unknown chart scale {name!r}; choose one of {sorted(SCALES)}")
    _scale.set(name)


@contextlib.contextmanager
def scale(name: str) -> Iterator[Sizes]:
    """Charts built inside the block use the scale ``name``; the previous scale returns afterwards."""
    if name not in SCALES:
        raise ValueError(f"unknown chart scale {name!r}; choose one of {sorted(SCALES)}")
    token = _scale.set(name)
    try:
        yield SCALES[name]
    finally:
        _scale.reset(token)


def current_scale() -> str:
    """The name of the scale charts are built at right now."""
    return _scale.get() or DEFAULT_SCALE


def sizes() -> Sizes:
    """The text sizes of the current scale."""
    return SCALES[current_scale()]


def color(i: int) -> str:
    """The i-th series' colour (the palette repeats; ``dash(i)`` then tells repeats apart)."""
    return PALETTE[i % len(PALETTE)]


def dash(i: int) -> list[int]:
    """The i-th series' dash pattern: solid for the first round of the palette, then dashed, dotted, ..."""
    return DASHES[(i // len(PALETTE)) % len(DASHES)]


def config() -> dict[str, Any]:
    """Vega-Lite config for the current scale: text sizes, the palette, thicker legend symbols."""
    s = sizes()
    return {
        "axis": {"labelFontSize": s.tick, "titleFontSize": s.label, "titleFontWeight": "normal",
                 "labelLimit": 20 * s.tick},
        "legend": {"labelFontSize": s.tick, "titleFontSize": s.label, "titleFontWeight": "normal",
                   "labelLimit": 30 * s.tick, "symbolSize": 12 * s.tick, "symbolStrokeWidth": 3},
        "header": {"labelFontSize": s.tick, "titleFontSize": s.label},
        "title": {"fontSize": s.title, "subtitleFontSize": s.tick, "subtitleColor": GREY, "anchor": "start"},
        "text": {"fontSize": s.tick},
        "range": {"category": list(PALETTE)},
    }


def style(chart: Any) -> Any:
    """The chart in the current style: a Vega-Lite dict gets the config merged in (keys it sets itself win,
    except font sizes, which the style owns); an Altair chart is returned ``.configure``d."""
    cfg = config()
    if isinstance(chart, dict):
        own = chart.get("config", {})
        merged = {group: {**values, **{k: v for k, v in own.get(group, {}).items() if "ontSize" not in k}}
                  if isinstance(values, dict) else values for group, values in cfg.items()}
        chart["config"] = {**own, **merged}
        return chart
    return chart.configure(**cfg)


def as_dict() -> dict[str, Any]:
    """The current sizes as a plain dict (for notes and tests)."""
    return asdict(sizes())

