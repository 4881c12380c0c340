"""Graphviz (DOT) pictures of neurons and networks, drawn in the browser by st.graphviz_chart.

Text sizes come from ``theme.sizes()`` (page ≥ 14, lecture ≥ 18); colours are pale Okabe–Ito tints.
st.graphviz_chart stretches a diagram to its column, so the drawn size is the DOT size × column width ÷
diagram width: keep diagrams narrow (few ranks, short labels) so the text is not shrunk below the floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ui.charts import theme

INPUT, HIDDEN, OUTPUT, BIAS = "#cce3f0", "#fbe3b3", "#bfe6d9", "#eeeeee"  # tints of blue, orange, green; grey
POSITIVE, NEGATIVE = theme.BLUE, theme.VERMILLION  # edge colours by the weight's sign


def head(name: str, *graph_attrs: str) -> list[str]:
    """The first lines of a digraph with fonts at the current scale (nodes and edges at the diagram size)."""
    s = theme.sizes()
    return [f"digraph {name} {{", *(f"  {a}" for a in graph_attrs),
            f'  bgcolor="transparent"; fontname="Helvetica"; fontsize={s.diagram_small};',
            f'  node [fontname="Helvetica", fontsize={s.diagram}, style=filled];',
            f'  edge [fontname="Helvetica", fontsize={s.diagram}];']


def _fmt(v: float) -> str:
    return f"{v:+.2f}"


def neuron_dot(weights: Sequence[float], bias: float, activation: str = "σ", input_names: Sequence[str] | None = None) -> str:
    """One neuron: inputs x_i → Σ w_i·x_i + b → activation → ŷ, each edge labelled with its weight."""
    names = list(input_names or [f"x{i + 1}" for i in range(len(weights))])
    lines = [
        *head("neuron", "rankdir=LR; nodesep=0.15; ranksep=0.45;"),
        "  edge [penwidth=1.6];",
        f'  bias [label="1", shape=circle, fillcolor="{BIAS}"];',
        f'  sum [label="z = Σ wᵢxᵢ + b", shape=box, fillcolor="{HIDDEN}"];',
        f'  act [label="{activation}(z)", shape=circle, fillcolor="{HIDDEN}"];',
        f'  out [label="ŷ", shape=doublecircle, fillcolor="{OUTPUT}"];',
    ]
    for i, (name, w) in enumerate(zip(names, weights)):
        width = 0.8 + 2.5 * min(abs(w), 3.0) / 3.0
        color = POSITIVE if w >= 0 else NEGATIVE
        lines.append(f'  x{i} [label="{name}", shape=circle, fillcolor="{INPUT}"];')
        lines.append(f'  x{i} -> sum [label="w{i + 1} = {_fmt(w)}", penwidth={width:.2f}, color="{color}"];')
    lines.append(f'  bias -> sum [label="b = {_fmt(bias)}", style=dashed];')
    lines.append("  sum -> act; act -> out;")
    lines.append("}")
    return "\n".join(lines)


def diagram_css() -> str:
    """CSS that draws diagram text at the current scale's size (in the diagram's own units, as laid out).

    Streamlit's graphviz element sets ``font-size: calc(twoSm * 0.8)`` (≈ 10 px) on every element inside it,
    which overrides the DOT font sizes; this more specific rule restores them.
    """
    s = theme.sizes()
    return (f'[data-testid="stGraphVizChart"] svg text {{ font-size: {s.diagram}px; }}'
            f'[data-testid="stGraphVizChart"] svg g.cluster text {{ font-size: {s.diagram_small}px; }}')


def graphviz_chart(dot: str, where: Any = None, **kwargs: Any) -> Any:
    """``st.graphviz_chart`` (on ``where``, a container, or the page) with the diagram text at the current scale."""
    import streamlit as st

    st.html(f"<style>{diagram_css()}</style>")  # style-only HTML takes no space on the page
    return (where or st).graphviz_chart(dot, **kwargs)
