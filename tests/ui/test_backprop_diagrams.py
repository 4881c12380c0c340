"""The backpropagation page's Graphviz pictures: what each phase of the walk-through shows, and the graph of L."""

import re

import pytest

from core.lessons.backprop.compgraph import build_graph
from core.lessons.backprop.walkthrough import MAZUR, default_numbers, params_from_rows, walkthrough
from ui.backprop.diagrams import RED, _n, architecture_dot, compgraph_dot, network_dot


def mazur_walk(**kw):
    return walkthrough(params_from_rows(MAZUR, 2), MAZUR["x"], MAZUR["y"], **kw)


def edge_label(dot: str, src: str, dst: str) -> str:
    return re.search(rf'"{src}" -> "{dst}" \[[^\n]*?label="([^"]*)"', dot).group(1)


def node_label(dot: str, node: str) -> str:
    return re.search(rf'  "{node}" \[label="([^"]*)"', dot).group(1)


@pytest.mark.parametrize("value,text", [(0.0, "0"), (-0.0, "0"), (-3.9e-05, "-3.90e-05"), (0.123456, "0.1235"),
                                        (-0.5, "-0.5"), (12345.0, "1.23e+04"), (1.0, "1")])
def test_short_numbers_never_show_minus_zero(value, text):
    assert _n(value) == text


def test_forward_phase_fills_in_units_one_at_a_time():
    dot = network_dot(mazur_walk(), "forward", 0)
    assert node_label(dot, "h1") == r"h1\nz=0.3775\na=0.5933"
    assert node_label(dot, "h2") == "h2"  # not computed yet
    assert f'color="{RED}"' in re.search(r'  "h1" \[[^\n]*', dot).group(0)  # the current unit is outlined


def test_backward_phase_labels_the_gradients_reached_so_far():
    wt = mazur_walk()
    k = wt.steps.index("db_o1") - len(wt.forward) - 1
    dot = network_dot(wt, "backward", k)
    assert edge_label(dot, "h1", "o1") == r"w5=0.4\n∂=0.0822"
    assert edge_label(dot, "bias1", "o1") == r"b_o1=0.6\n∂=0.1385"  # biases get their ∂ too
    assert edge_label(dot, "h1", "o2") == "w7=0.5"  # not reached yet


def test_update_and_new_loss_phases_show_the_new_parameters_and_forward_pass():
    wt = mazur_walk()
    update = network_dot(wt, "update", 0)
    assert edge_label(update, "h1", "o1") == r"w5: 0.4 → 0.3589\n∂=0.0822"
    assert edge_label(update, "bias1", "o1") == r"b_o1=0.6\n∂=0.1385"  # Mazur does not move the biases
    new = network_dot(wt, "new_loss", 0)
    assert edge_label(new, "h1", "o1") == "w5=0.3589"
    assert node_label(new, "o1") == rf"o1\nz={_n(wt.forward_after[2].z)}\na=0.7421"  # his out_o1 after: 0.742088111
    moved = network_dot(mazur_walk(update_biases=True), "update", 0)
    assert edge_label(moved, "bias1", "o1").startswith("b_o1: 0.6 → 0.5308")


@pytest.mark.parametrize("bias", [False, True])
def test_architecture_bias_edges_do_not_pull_the_columns(bias):
    dot = architecture_dot((5, 6, 6, 5), bias)
    edges = re.findall(r"^  (n\d+_\d+|b\d+) -> n\d+_\d+;?", dot, re.M)
    assert len(edges) == 5 * 6 + 6 * 6 + 6 * 5 + (6 + 6 + 5 if bias else 0)
    assert dot.count("weight=0") == (17 if bias else 0)


def test_compgraph_boxes_each_neuron_and_orders_the_layers():
    d = default_numbers((3, 4, 3))
    graph = build_graph(params_from_rows(d, 2), d["x"], d["y"], "sigmoid", "softmax", "crossentropy")
    dot = compgraph_dot(graph)
    assert dot.count("subgraph") == 7  # h1..h4, o1..o3
    assert '"h1" -> "w13" [style=invis]' in dot  # a layer-2 weight sits right of the activation it multiplies
    assert not re.search(r"grad -0(?![.\d])", dot) and node_label(dot, "o1").endswith(r"grad 0")  # ∂L/∂a, not the class
    assert node_label(dot, "L").endswith(r"grad 1")
    assert "grad" not in compgraph_dot(graph, show_grads=False)
