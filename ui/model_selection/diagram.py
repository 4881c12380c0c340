"""The dropout diagram: a small network with this iteration's dropped hidden units greyed out (graphviz DOT)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ui.charts import theme
from ui.charts.diagrams import HIDDEN, INPUT, OUTPUT, head

DROPPED = "#e6e6e6"


def dropout_dot(sizes: Sequence[int], masks: Sequence[np.ndarray]) -> str:
    """Layers left to right; a dropped hidden unit is grey and dashed with its edges, a kept one shows ×1/(1−p)."""
    lines = head("dropout", "rankdir=LR;", "splines=line;", "nodesep=0.15;", "ranksep=0.7;")
    alive: list[list[bool]] = []
    for l, n in enumerate(sizes):
        mask = masks[l - 1] if 0 < l < len(sizes) - 1 else np.ones(n)
        alive.append([bool(m) for m in mask])
        lines.append(f"  subgraph layer{l} {{ rank=same;")
        for i, m in enumerate(mask):
            if l == 0:
                label, fill, style = f"x{i + 1}", INPUT, "filled"
            elif l == len(sizes) - 1:
                label, fill, style = f"ŷ{i + 1}" if n > 1 else "ŷ", OUTPUT, "filled"
            elif m:
                label, fill, style = f"×{m:.3g}", HIDDEN, "filled"
            else:
                label, fill, style = "×0", DROPPED, '"filled,dashed"'
            color = theme.GREY if not m else theme.BLACK
            lines.append(f'    n{l}_{i} [label="{label}", shape=circle, width=0.8, fixedsize=true, fillcolor="{fill}", '
                         f'style={style}, color="{color}", fontcolor="{color}"];')
        if n > 1:  # an invisible chain keeps the units of a layer in their order, top to bottom
            lines.append("    " + " -> ".join(f"n{l}_{i}" for i in range(n)) + " [style=invis];")
        lines.append("  }")
    for l in range(len(sizes) - 1):
        for i in range(sizes[l]):
            for j in range(sizes[l + 1]):
                off = not (alive[l][i] and alive[l + 1][j])
                style = f'style=dashed, color="{theme.LIGHT_GREY}"' if off else f'color="{theme.GREY}", penwidth=1.6'
                lines.append(f"  n{l}_{i} -> n{l + 1}_{j} [arrowsize=0.5, {style}];")
    lines.append("}")
    return "\n".join(lines)
