"""The walk-through's names and numbers: Mazur's example, its pattern for other shapes, unit and weight names, steps.

Names follow Matt Mazur's example: inputs x1.., hidden units h1.., outputs o1..; weights are
numbered w1, w2, ... layer by layer, and within a layer by receiving unit, then by sending unit
(so in the 2-2-2 network w1 = x1→h1, w2 = x2→h1, w3 = x1→h2, w5 = h1→o1, w7 = h1→o2).
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

MAZUR = {  # Matt Mazur, "A Step by Step Backpropagation Example" (2015)
    "x": (0.05, 0.10),
    "y": (0.01, 0.99),
    "W1": ((0.15, 0.20), (0.25, 0.30)),  # rows: receiving unit h1, h2; columns: sending unit x1, x2
    "b1": (0.35, 0.35),
    "W2": ((0.40, 0.45), (0.50, 0.55)),  # rows: o1, o2; columns: h1, h2
    "b2": (0.60, 0.60),
    "eta": 0.5,
}


def default_numbers(layer_sizes) -> dict:
    """Mazur's numbers for 2-2-2, and his pattern continued for other shapes.

    x_i = 0.05·i, targets alternate 0.01 / 0.99; weights and biases take 0.15, 0.20, 0.25, ... in turn:
    first the weights of layer 1 in the numbering above, then one value shared by that layer's biases,
    then layer 2 (2-2-2: w1..w4 = 0.15..0.30, b = 0.35, w5..w8 = 0.40..0.55, b = 0.60). Weight matrices
    are rows by receiving unit, like ``MAZUR``: ``W_rows[l][j][i]`` is the weight from unit i to unit j.
    """
    sizes = list(layer_sizes)
    out: dict = {"x": tuple(round(0.05 * (i + 1), 2) for i in range(sizes[0])),
                 "y": tuple(0.01 if j % 2 == 0 else 0.99 for j in range(sizes[-1])), "eta": MAZUR["eta"]}
    k = 0  # values handed out so far
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        rows = []
        for _ in range(fan_out):
            rows.append(tuple(round(0.15 + 0.05 * (k + i), 2) for i in range(fan_in)))
            k += fan_in
        out[f"W{l}"] = tuple(rows)
        out[f"b{l}"] = tuple([round(0.15 + 0.05 * k, 2)] * fan_out)
        k += 1
    return out


def step_names(layer_sizes) -> list[str]:
    """The walk-through's steps for a shape: z_<unit> per unit, loss, d<param> per parameter in backward
    order (output layer first; per unit its weights, then its bias), update, new_loss."""
    sizes, names, wnames = list(layer_sizes), unit_names(layer_sizes), weight_names(layer_sizes)
    forward = ["z_" + n for layer in names[1:] for n in layer]
    backward = []
    for l in range(len(sizes) - 2, -1, -1):
        for j, unit in enumerate(names[l + 1]):
            backward += ["d" + w for w in wnames[l][:, j]] + [f"db_{unit}"]
    return forward + ["loss"] + backward + ["update", "new_loss"]


def params_from_rows(numbers: dict, n_layers: int) -> list[Array]:
    """[W1, b1, W2, b2, ...] in the engine's layout (W (fan_in, fan_out)) from rows by receiving unit."""
    params = []
    for l in range(1, n_layers + 1):
        params.append(np.asarray(numbers[f"W{l}"], dtype=np.float64).T.copy())  # (fan_in, fan_out)
        params.append(np.asarray(numbers[f"b{l}"], dtype=np.float64).copy())  # (fan_out,)
    return params


def unit_names(layer_sizes) -> tuple[tuple[str, ...], ...]:
    """x1.. for inputs, h1.. (h<l>_<j> with several hidden layers) for hidden units, o1.. for outputs."""
    sizes = list(layer_sizes)
    names = [tuple(f"x{i + 1}" for i in range(sizes[0]))]
    hidden = sizes[1:-1]
    for l, n in enumerate(hidden, start=1):
        prefix = "h" if len(hidden) == 1 else f"h{l}_"
        names.append(tuple(f"{prefix}{j + 1}" for j in range(n)))
    names.append(tuple(f"o{j + 1}" for j in range(sizes[-1])))
    return tuple(names)


def weight_names(layer_sizes) -> tuple[Array, ...]:
    """w1, w2, ... numbered layer by layer, by receiving unit, then by sending unit; arrays shaped like W."""
    sizes, k, out = list(layer_sizes), 1, []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        names = np.empty((fan_in, fan_out), dtype=object)
        for j in range(fan_out):
            for i in range(fan_in):
                names[i, j] = f"w{k}"
                k += 1
        out.append(names)
    return tuple(out)
