"""Editable number lists for the walk-through: bound text inputs that keep the last valid value.

A matrix is typed as rows separated by ';' (one row per receiving unit) and numbers separated by ','
or spaces, e.g. ``0.15, 0.2; 0.25, 0.3``. The text lives in the URL through ``bound``; what the page
computes with is the last text that parsed, so a typo shows a message and never breaks the page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from core.lessons.backprop.walkthrough import MAZUR, default_numbers, step_names, weight_names
from ui.urlstate import bound, set_from_code

VALID_KEY = "_bp_valid"  # session_state: key -> last valid rows
Rows = tuple[tuple[float, ...], ...]


def format_numbers(rows: Sequence[Sequence[float]]) -> str:
    """((0.15, 0.2), (0.25, 0.3)) -> '0.15, 0.2; 0.25, 0.3'."""
    return "; ".join(", ".join(format(float(v), ".10g") for v in row) for row in rows)


def _count(k: int) -> str:
    return f"{k} number" + ("" if k == 1 else "s")


def parse_numbers(text: str | None, n_rows: int, n_cols: int, lo: float, hi: float) -> Rows:
    """Parse 'a, b; c, d' into n_rows rows of n_cols numbers in [lo, hi]; ValueError says what is wrong."""
    text = (text or "").strip()
    if not text:
        raise ValueError(f"the field is empty; it needs {_count(n_rows * n_cols)}.")
    row_texts = [r for r in re.split(r"[;|\n]", text) if r.strip()]
    values: list[list[float]] = []
    for r in row_texts:
        row = []
        for token in (t for t in re.split(r"[,\s]+", r.strip()) if t):
            try:
                v = float(token)
            except ValueError:
                raise ValueError(f"`{token}` is not a number.") from None
            if not math.isfinite(v):
                raise ValueError(f"`{token}` is not a finite number.")
            if not lo <= v <= hi:
                raise ValueError(f"`{token}` is outside the allowed range [{lo:g}, {hi:g}].")
            row.append(v)
        values.append(row)
    flat = [v for row in values for v in row]
    if len(flat) != n_rows * n_cols:
        shape = f"{n_rows} rows of {_count(n_cols)} ({n_rows * n_cols} in all)" if n_rows > 1 else _count(n_cols)
        raise ValueError(f"it needs {shape}, got {len(flat)}.")
    if len(values) > 1 and any(len(row) != n_cols for row in values):
        raise ValueError(f"each row (rows are separated by ';') needs {_count(n_cols)}.")
    return tuple(tuple(flat[r * n_cols : (r + 1) * n_cols]) for r in range(n_rows))


def _fits(rows: Rows | None, n_rows: int, n_cols: int, lo: float, hi: float) -> bool:
    return (rows is not None and len(rows) == n_rows and all(len(r) == n_cols for r in rows)
            and all(lo <= v <= hi for r in rows for v in r))


def number_field(container, label: str, key: str, default: Rows, lo: float = -10.0, hi: float = 10.0,
                 help: str | None = None) -> Rows:
    """A bound text input for a vector or matrix; on bad input: a message and the last valid value."""
    n_rows, n_cols = len(default), len(default[0])
    text = bound(container.text_input, label, format_numbers(default), key=key, help=help)
    store = st.session_state.setdefault(VALID_KEY, {})
    try:
        rows = parse_numbers(text, n_rows, n_cols, lo, hi)
    except ValueError as err:
        last = store.get(key)
        kept = _fits(last, n_rows, n_cols, lo, hi)
        rows = last if kept else default
        container.error(f"**{label}**: {err} Using {'the last valid value' if kept else 'the default'} "
                        f"`{format_numbers(rows)}`.", icon=":material/error:")
        return rows
    store[key] = rows
    return rows


def set_numbers(numbers: dict, keys: Sequence[str]) -> None:
    """Callback helper: put these numbers into the text inputs (and forget the last valid values)."""
    for key in keys:
        value = numbers[key]
        rows = value if isinstance(value[0], (tuple, list)) else (value,)
        set_from_code(key, format_numbers(rows))
    st.session_state.pop(VALID_KEY, None)


NUMBER_KEYS = ("x", "y", "W1", "b1", "W2", "b2")


@dataclass(frozen=True)
class Network:
    """The walk-through's network as the controls set it: shape, numbers, activations, loss and step size."""

    sizes: tuple[int, int, int]
    numbers: dict  # W1, b1, W2, b2 as rows
    x: tuple[float, ...]
    y: tuple[float, ...]
    act: str
    out: str
    loss: str
    eta: float
    update_biases: bool

    def key(self) -> tuple:
        """Everything that defines the network, as plain values: a cheap st.cache_data key (hash_funcs)."""
        return (self.sizes, tuple(sorted(self.numbers.items())), self.x, self.y, self.act, self.out, self.loss,
                self.eta, self.update_biases)


def reshape() -> None:
    """Callback of the shape boxes: a new shape gets fresh default numbers (a weight list for 2-2 cannot fill a 3-4
    layer), and the step reached stays if the new shape has it (the output layer's steps do), else the walk restarts."""
    sizes = (st.session_state["ni"], st.session_state["nh"], st.session_state["no"])
    set_numbers(default_numbers(sizes), NUMBER_KEYS)
    steps = step_names(sizes)
    if st.session_state.get("step") not in steps:
        set_from_code("step", steps[0])


def reset_to_mazur() -> None:
    """Callback: back to Matt Mazur's 2-2-2 example, at the first step."""
    for key, value in dict(ni=2, nh=2, no=2, act="sigmoid", out="sigmoid", loss="half_sse", eta=MAZUR["eta"],
                           ub=False, step="z_h1").items():
        set_from_code(key, value)
    set_numbers(MAZUR, NUMBER_KEYS)


def typed_order(sizes: tuple[int, ...], layer: int) -> str:
    """The weights of a layer in the order they are typed: 'w1, w2; w3, w4'."""
    return "; ".join(", ".join(row) for row in weight_names(sizes)[layer].T)
