"""Graphviz (DOT) pictures of neurons and networks, drawn in the browser by st.graphviz_chart."""

from __future__ import annotations

from collections.abc import Sequence

INPUT, HIDDEN, OUTPUT, BIAS = "#cfe3ff", "#ffe1b3", "#c9f0d0", "#eeeeee"


def _fmt(v: float) -> str:
    return f"{v:+.2f}"


def neuron_dot(weights: Sequence[float], bias: float, activation: str = "σ", input_names: Sequence[str] | None = None) -> str:
    """One neuron: inputs x_i → Σ w_i·x_i + b → activation → ŷ, each edge labelled with its weight."""
    names = list(input_names or [f"x{i + 1}" for i in range(len(weights))])
    lines = [
        "digraph neuron {",
        '  rankdir=LR; bgcolor="transparent"; node [fontname="Helvetica", fontsize=16, style=filled];',
        '  edge [fontname="Helvetica", fontsize=14, penwidth=1.6];',
        f'  bias [label="1", shape=circle, fillcolor="{BIAS}"];',
        f'  sum [label="z = Σ wᵢxᵢ + b", shape=box, fillcolor="{HIDDEN}"];',
        f'  act [label="{activation}(z)", shape=circle, fillcolor="{HIDDEN}"];',
        f'  out [label="ŷ", shape=doublecircle, fillcolor="{OUTPUT}"];',
    ]
    for i, (name, w) in enumerate(zip(names, weights)):
        width = 0.8 + 2.5 * min(abs(w), 3.0) / 3.0
        color = "#1f5fbf" if w >= 0 else "#e4572e"
        lines.append(f'  x{i} [label="{name}", shape=circle, fillcolor="{INPUT}"];')
        lines.append(f'  x{i} -> sum [label="w{i + 1} = {_fmt(w)}", penwidth={width:.2f}, color="{color}"];')
    lines.append(f'  bias -> sum [label="b = {_fmt(bias)}", style=dashed];')
    lines.append("  sum -> act; act -> out;")
    lines.append("}")
    return "\n".join(lines)
