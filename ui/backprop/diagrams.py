"""Graphviz (DOT) pictures for the backpropagation page: the architecture, the small network, the graph of L."""

from __future__ import annotations

from collections.abc import Sequence

from core.lessons.backprop.compgraph import CompGraph
from core.lessons.backprop.walkthrough import Walkthrough
from ui.charts import theme
from ui.charts.diagrams import BIAS, HIDDEN, INPUT, OUTPUT, head

PARAM, LOSS_FILL, OP_FILL = INPUT, OUTPUT, "#f4f4f4"
RED = theme.VERMILLION  # the current step's unit or parameter


def _fill(layer: int, n_layers: int) -> str:
    return INPUT if layer == 0 else OUTPUT if layer == n_layers - 1 else HIDDEN


def _n(v: float, digits: int = 4) -> str:
    """A short number for a diagram: up to ``digits`` decimals, tiny and huge values in e-notation, never −0."""
    if v == 0:
        return "0"
    if abs(v) < 0.5 * 10.0**-digits or abs(v) >= 1e4:
        return f"{v:.2e}"
    return f"{v:.{digits}f}".rstrip("0").rstrip(".")


def architecture_dot(sizes: Sequence[int], bias: bool = False) -> str:
    """A dense network, one circle per unit, every unit wired to every unit of the next layer."""
    lines = [*head("arch", "rankdir=LR; splines=line; nodesep=0.08; ranksep=0.9;"),
             '  node [shape=circle, label="", width=0.28, fixedsize=true, penwidth=0.8];',
             '  edge [arrowhead=none, penwidth=0.5, color="#8c8c8c"];']
    title_size = theme.sizes().diagram
    L = len(sizes)
    for l, n in enumerate(sizes):
        name = "input" if l == 0 else "output" if l == L - 1 else f"hidden {l}"
        column = [f"t{l}"] + [f"n{l}_{j}" for j in range(n)] + ([f"b{l}"] if bias and l < L - 1 else [])
        lines.append(f'  t{l} [label="{name}\\n{n} unit{"s" if n > 1 else ""}", shape=plaintext, style="", fixedsize=false, fontsize={title_size}];')
        lines += [f'  n{l}_{j} [fillcolor="{_fill(l, L)}"];' for j in range(n)]
        if bias and l < L - 1:
            lines.append(f'  b{l} [label="+1", fillcolor="{BIAS}", shape=square, width=0.4];')
        # a column: title on top, units in order, the bias node last (flat invisible edges fix the order)
        lines.append(f'  {{ rank=same; {" -> ".join(column)} [style=invis]; }}')
    for l in range(L - 1):
        for j in range(sizes[l + 1]):
            lines += [f"  n{l}_{i} -> n{l + 1}_{j};" for i in range(sizes[l])]
            if bias:  # weight=0: the bias edges do not pull the columns out of line
                lines.append(f'  b{l} -> n{l + 1}_{j} [style=dashed, color="#b0b0b0", weight=0];')
    lines.append("}")
    return "\n".join(lines)


def network_dot(wt: Walkthrough, phase: str, index: int) -> str:
    """The walk-through network: units show z and a once computed, edges their weight and, after the
    backward pass reaches them, ∂L/∂w; at the update the new values, at the new loss the new forward pass.
    The unit or parameter of the current step is outlined in red."""
    L = len(wt.layer_sizes)
    after = phase == "new_loss"
    neurons = wt.forward_after if after else wt.forward
    known_units = {n.name for n in neurons[: index + 1]} if phase == "forward" else {n.name for n in neurons}
    done = {g.param: g.grad for g in wt.backward[: index + 1]} if phase == "backward" else (
        {g.param: g.grad for g in wt.backward} if phase == "update" else {})
    new = {r.param: r.new for r in wt.update if r.updated} if phase in ("update", "new_loss") else {}
    current_unit = wt.forward[index].name if phase == "forward" else (
        wt.backward[index].unit_name if phase == "backward" else None)
    current_param = wt.backward[index].param if phase == "backward" else None
    values = {n.name: n for n in neurons}
    red = f'color="{RED}", fontcolor="{RED}"'

    def param_label(name: str, value: float) -> str:
        if name in new and phase == "update":
            label = f"{name}: {_n(value)} → {_n(new[name])}"
        else:
            label = f"{name}={_n(new.get(name, value))}"
        return label + (f"\\n∂={_n(done[name])}" if name in done else "")

    lines = [*head("net", "rankdir=LR; ranksep=0.5; nodesep=0.25;"),
             f'  node [shape=circle, width={0.068 * theme.sizes().diagram:.2f}, fixedsize=true];']
    for l, names in enumerate(wt.unit_names):
        for j, name in enumerate(names):
            if l == 0:
                label = f"{name}\\n{_n(wt.x[j])}"
            elif name in known_units:
                label = f"{name}\\nz={_n(values[name].z)}\\na={_n(values[name].a)}"
            else:
                label = name
            extra = f", {red}, penwidth=3" if name == current_unit else ""
            lines.append(f'  "{name}" [label="{label}", fillcolor="{_fill(l, L)}"{extra}];')
        column = [f'"{n}"' for n in names]
        if l < L - 1:
            lines.append(f'  "bias{l}" [label="1", shape=square, width=0.35, fillcolor="{BIAS}"];')
            column.append(f'"bias{l}"')
        # one column per layer, units in order top to bottom, the bias node last
        lines.append(f"  {{ rank=same; {' -> '.join(column)} [style=invis]; }}" if len(column) > 1 else "")
    for l in range(L - 1):
        for j, dst in enumerate(wt.unit_names[l + 1]):
            for i, src in enumerate(wt.unit_names[l]):
                w = wt.weight_names[l][i, j]
                style = f", {red}, penwidth=2.6" if w == current_param else ""
                lines.append(f'  "{src}" -> "{dst}" [label="{param_label(w, wt.params[2 * l][i, j])}"{style}];')
            b = f"b_{dst}"
            style = f", {red}, penwidth=2.2" if b == current_param else ', color="#9a9a9a"'
            # weight=0: the bias edges do not pull the columns out of line
            lines.append(f'  "bias{l}" -> "{dst}" [style=dashed, weight=0, '
                         f'label="{param_label(b, wt.params[2 * l + 1][j])}"{style}];')
    lines.append("}")
    return "\n".join(lines)


def compgraph_dot(graph: CompGraph, show_grads: bool = True) -> str:
    """The loss's computational graph: data leaves white, parameters blue, operations grey, the loss green;
    each neuron's weights, products, bias, sum and activation in one dashed box."""
    fills = {"input": "#ffffff", "target": "#ffffff", "param": PARAM, "op": OP_FILL, "loss": LOSS_FILL}
    lines = [*head("cg", "rankdir=TB; ranksep=0.25; nodesep=0.08; newrank=true;"),
             '  node [shape=box, style="rounded,filled", margin="0.06,0.03"];',
             '  edge [arrowsize=0.6, color="#7a7a7a"];']

    def node_line(n) -> str:
        if n.id == "class":
            label = f"target class\\nindex {int(n.value)}"
        else:
            label = f"{n.label}\\n{_n(n.value)}"
            if show_grads and n.grad is not None:
                label += f"\\ngrad {_n(n.grad)}"
        shape = ", style=filled" if n.kind == "op" else ""  # square corners: operations; rounded: values
        return f'"{n.id}" [label="{label}", fillcolor="{fills[n.kind]}"{shape}];'

    units = list(dict.fromkeys(n.unit for n in graph.nodes if n.unit))
    lines += ["  " + node_line(n) for n in graph.nodes if n.unit is None]
    for u in units:
        lines.append(f'  subgraph "cluster_{u}" {{ label="neuron {u}"; fontcolor="#6b6b6b"; '
                     'style="rounded,dashed"; color="#b5b5b5";')
        lines += ["    " + node_line(n) for n in graph.nodes if n.unit == u]
        lines.append("  }")
    kinds = {n.id: n.kind for n in graph.nodes}
    for n in graph.nodes:
        lines += [f'  "{p}" -> "{n.id}";' for p in n.parents]
        if n.label.startswith("×") and kinds[n.parents[1]] == "op":
            # a weight of a deeper layer sits right of the activation it multiplies: neurons of one layer
            # then share columns instead of being stacked below those of the layer before
            lines.append(f'  "{n.parents[1]}" -> "{n.parents[0]}" [style=invis];')
    lines.append("}")
    return "\n".join(lines)
