"""The loss's computational graph: values and gradients vs PyTorch autograd, and backprop along its edges."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.lessons.backprop.compgraph import build_graph
from core.engine.network import MLP
from core.lessons.backprop.walkthrough import MAZUR, params_from_rows, unit_names, weight_names

CASES = [("sigmoid", "sigmoid", "half_sse"), ("tanh", "linear", "mse"), ("relu", "sigmoid", "binary_crossentropy"),
         ("gelu", "softmax", "crossentropy")]
TORCH_ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu, "gelu": F.gelu, "linear": lambda t: t,
             "softmax": lambda t: torch.softmax(t, dim=1)}
TORCH_LOSS = {
    "half_sse": lambda o, y: 0.5 * ((o - y) ** 2).sum(),
    "mse": lambda o, y: ((o - y) ** 2).mean(),
    "binary_crossentropy": lambda o, y: F.binary_cross_entropy(o, y),
    "crossentropy": lambda o, y: -torch.log(o[0, int(y.argmax())]),
}


def _case(seed, sizes=(3, 4, 3)):
    rng = np.random.default_rng(seed)
    params = [p + rng.normal(scale=0.2, size=p.shape) for p in MLP(sizes, seed=seed).params]
    return params, rng.normal(size=sizes[0]), rng.uniform(0.1, 0.9, size=sizes[-1])


@pytest.mark.parametrize("activation,output,loss", CASES)
def test_values_and_gradients_match_torch_autograd(activation, output, loss):
    params, x, y = _case(0)
    graph = build_graph(params, x, y, activation, output, loss)
    P = [torch.tensor(p, requires_grad=True) for p in params]
    A, Zs, As = torch.tensor(x[None]), [], []
    for l in range(2):
        Z = A @ P[2 * l] + P[2 * l + 1]
        A = TORCH_ACT[activation if l == 0 else output](Z)
        Z.retain_grad(), A.retain_grad()
        Zs.append(Z), As.append(A)
    L = TORCH_LOSS[loss](A, torch.tensor(y[None]))
    L.backward()
    names, wnames = unit_names((3, 4, 3)), weight_names((3, 4, 3))
    assert graph.root.value == pytest.approx(L.item(), rel=1e-12) and graph.root.grad == 1.0
    for l in range(2):
        for j, unit in enumerate(names[l + 1]):
            z, a = graph.node(f"z_{unit}"), graph.node(unit)
            assert z.value == pytest.approx(Zs[l][0, j].item(), rel=1e-12)
            assert a.value == pytest.approx(As[l][0, j].item(), rel=1e-12)
            assert z.grad == pytest.approx(Zs[l].grad[0, j].item(), rel=1e-9, abs=1e-15)
            assert a.grad == pytest.approx(As[l].grad[0, j].item(), rel=1e-9, abs=1e-15)
            assert graph.node(f"b_{unit}").grad == pytest.approx(P[2 * l + 1].grad[j].item(), rel=1e-9, abs=1e-15)
            for i in range(len(names[l])):
                w = graph.node(wnames[l][i, j])
                assert w.value == params[2 * l][i, j]
                assert w.grad == pytest.approx(P[2 * l].grad[i, j].item(), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("activation,output,loss", CASES)
def test_gradients_flow_backwards_along_the_edges(activation, output, loss):
    """What loss.backward() does: each node's gradient is Σ over its children of child.grad · local derivative."""
    params, x, y = _case(1)
    graph = build_graph(params, x, y, activation, output, loss)
    seen = set()
    for n in graph.nodes:  # topological order: parents first, the loss last
        assert set(n.parents) <= seen
        seen.add(n.id)
    for n in graph.nodes:
        kids = graph.children(n.id)
        if n.kind == "param" and n.id.startswith("w"):  # ∂(w·a)/∂w = a
            (mul,) = kids
            a = graph.node(mul.parents[1])
            assert n.grad == pytest.approx(mul.grad * a.value, rel=1e-9, abs=1e-15)
        elif n.kind == "param":  # ∂z/∂b = 1
            assert n.grad == pytest.approx(kids[0].grad, rel=1e-12)
        elif n.kind == "op" and n.id.startswith("mul_"):  # ∂z/∂(w·a) = 1
            assert n.grad == pytest.approx(kids[0].grad, rel=1e-12)
        elif n.kind == "op" and n.id[0] == "h":  # ∂L/∂a = Σ_k ∂L/∂(w_k·a) · w_k
            total = sum(k.grad * graph.node(k.parents[0]).value for k in kids)
            assert n.grad == pytest.approx(total, rel=1e-9, abs=1e-15)
    assert {n.grad for n in graph.nodes if n.kind in ("input", "target")} == {None}


def test_mazur_graph_shape_and_numbers():
    graph = build_graph(params_from_rows(MAZUR, 2), MAZUR["x"], MAZUR["y"])
    kinds = [n.kind for n in graph.nodes]
    # 2 inputs; per layer 4 weights, 4 products, 2 biases, 2 sums, 2 activations; 2 targets; the loss
    assert (kinds.count("input"), kinds.count("param"), kinds.count("op"), kinds.count("target")) == (2, 12, 16, 2)
    assert graph.root.id == "L" and round(graph.root.value, 9) == 0.298371109
    assert round(graph.node("w5").grad, 9) == 0.082167041 and round(graph.node("w1").grad, 9) == 0.000438568
    assert graph.node("o1").parents == ("z_o1",)
    soft = build_graph(params_from_rows(MAZUR, 2), MAZUR["x"], MAZUR["y"], "sigmoid", "softmax", "crossentropy")
    assert soft.node("o1").parents == ("z_o1", "z_o2")  # softmax couples the outputs
    assert soft.node("class").value == 1.0
    with pytest.raises(KeyError):
        graph.node("w9")
    labels = {n.id: n.label for n in graph.nodes}
    assert (labels["mul_w1"], labels["mul_w5"], labels["z_h1"], labels["h1"], labels["L"]) == (
        "× w1·x1", "× w5·a_h1", "+ z_h1", "sigmoid a_h1", "ℒ (half_sse)")


def test_every_node_of_a_neuron_names_that_neuron():
    graph = build_graph(params_from_rows(MAZUR, 2), MAZUR["x"], MAZUR["y"])
    members = {}
    for n in graph.nodes:
        members.setdefault(n.unit, set()).add(n.id)
    assert members[None] == {"x1", "x2", "y1", "y2", "L"}  # data and the loss belong to no neuron
    assert members["h1"] == {"w1", "mul_w1", "w2", "mul_w2", "b_h1", "z_h1", "h1"}
    assert members["o2"] == {"w7", "mul_w7", "w8", "mul_w8", "b_o2", "z_o2", "o2"}
