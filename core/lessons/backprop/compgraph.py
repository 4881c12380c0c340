"""The computational graph of the loss for one sample, with each node's value and gradient from the engine.

Leaves are the inputs x_i and targets (no gradient, like tensors without ``requires_grad``) and the
parameters w and b; operation nodes are the products w·a, the sums z = Σ w·a + b, the activations
a = f(z), and the root is the loss L. After the backward pass every node but the data leaves carries
∂L/∂node: the engine's dZ for products and sums (∂z/∂(w·a) = 1), dA for activations, the gradients
for the parameters and 1 for the loss itself. ``loss.backward()`` walks these edges in reverse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.network import MLP
from core.engine.outputs import couples_outputs
from core.lessons.backprop.walkthrough import targets_for, unit_names, weight_names

Array = np.ndarray


@dataclass(frozen=True)
class Node:
    """A value in the graph: what it is, how it was computed (parents), its value and ∂L/∂value."""

    id: str
    label: str
    kind: str  # "input", "target", "param", "op" or "loss"
    value: float
    grad: float | None  # None for data leaves, which need no gradient
    parents: tuple[str, ...] = ()
    layer: int = 0  # 0 = inputs and layer-1 parameters, l = computed in layer l, L+1 = loss
    unit: str | None = None  # the neuron whose z or a this node feeds or is (None for data and the loss)


@dataclass(frozen=True)
class CompGraph:
    """Nodes in topological order (every parent before its children); the last one is the loss."""

    nodes: tuple[Node, ...]

    @property
    def root(self) -> Node:
        """The loss node."""
        return self.nodes[-1]

    def node(self, node_id: str) -> Node:
        """The node with this id."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(f"no node {node_id!r}")

    def children(self, node_id: str) -> list[Node]:
        """Nodes computed directly from ``node_id``."""
        return [n for n in self.nodes if node_id in n.parents]


def build_graph(params, x, y, activation: str = "sigmoid", output: str = "sigmoid", loss: str = "half_sse") -> CompGraph:
    """The graph of L(x, y; W, b) for one sample, values from forward_cache, gradients from backward."""
    net = MLP.from_params(params, activation, output)
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    X = x[None, :]  # (1, n_in)
    t, label = targets_for(loss, y)
    cache = net.forward_cache(X)
    bw = net.backward(cache, t, loss)
    sizes, names, wnames = net.layer_sizes, unit_names(net.layer_sizes), weight_names(net.layer_sizes)
    L = net.n_layers
    nodes: list[Node] = [Node(n, n, "input", float(v), None) for n, v in zip(names[0], x)]
    below = list(names[0])  # ids of the nodes holding the activations of the layer below
    for l in range(L):
        layer_nodes, z_ids = [], []
        for j in range(sizes[l + 1]):
            unit, terms = names[l + 1][j], []
            for i in range(sizes[l]):
                w = wnames[l][i, j]
                layer_nodes.append(Node(w, w, "param", float(net.W[l][i, j]), float(bw.grads[2 * l][i, j]), (), l, unit))
                prod = f"mul_{w}"
                layer_nodes.append(Node(prod, f"× {w}·{'' if l == 0 else 'a_'}{names[l][i]}", "op", float(net.W[l][i, j] * cache.A[l][0, i]),
                                        float(bw.dZ[l][0, j]), (w, below[i]), l + 1, unit))
                terms.append(prod)
            b = f"b_{unit}"
            layer_nodes.append(Node(b, b, "param", float(net.b[l][j]), float(bw.grads[2 * l + 1][j]), (), l, unit))
            z = f"z_{unit}"
            layer_nodes.append(Node(z, f"+ z_{unit}", "op", float(cache.Z[l][0, j]), float(bw.dZ[l][0, j]),
                                    (*terms, b), l + 1, unit))
            z_ids.append(z)
        f = activation if l < L - 1 else output
        for j in range(sizes[l + 1]):
            unit = names[l + 1][j]
            parents = tuple(z_ids) if couples_outputs(f) else (z_ids[j],)
            layer_nodes.append(Node(unit, f"{f} a_{unit}", "op", float(cache.A[l + 1][0, j]), float(bw.dA[l][0, j]),
                                    parents, l + 1, unit))
        nodes.extend(layer_nodes)
        below = list(names[l + 1])
    if label is None:
        targets = [Node(f"y{j + 1}", f"y{j + 1}", "target", float(v), None, (), L) for j, v in enumerate(y)]
    else:
        targets = [Node("class", "class", "target", float(label), None, (), L)]
    nodes.extend(targets)
    nodes.append(Node("L", f"ℒ ({loss})", "loss", float(bw.loss), 1.0, (*names[-1], *(n.id for n in targets)), L + 1))
    return CompGraph(tuple(nodes))
