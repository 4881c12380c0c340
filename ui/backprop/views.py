"""LaTeX with the numbers substituted, and small tables, for the backpropagation walk-through page.

Pure formatting: every number comes in from core.lessons.backprop.walkthrough / core.lessons.backprop.minibatch (the engine).
Colours follow the lecture: red ∂L/∂a, blue ∂a/∂z, green ∂z/∂w.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.engine.outputs import couples_outputs
from core.lessons.backprop.minibatch import BatchGradients, LayerOps
from core.lessons.backprop.walkthrough import MAZUR, GradientStep, NeuronForward, Walkthrough

RED, BLUE, GREEN = "red", "blue", "green"
FUNC = {"sigmoid": r"\sigma", "tanh": r"\tanh", "linear": r"\mathrm{id}", "softmax": r"\mathrm{softmax}"}


def num(v: float, digits: int = 9) -> str:
    """A number with up to ``digits`` decimals, trailing zeros dropped, a real minus sign."""
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    if abs(v) >= 1e5 or (v != 0 and abs(v) < 10.0 ** -digits):
        s = f"{v:.4e}"
    return s


def fac(v: float, digits: int = 9) -> str:
    """A number as a factor in a product: negatives in parentheses."""
    return f"({num(v, digits)})" if v < 0 else num(v, digits)


def sci(v: float) -> str:
    """1.2e-11 as 1.2 × 10⁻¹¹ in LaTeX."""
    if v == 0:
        return "0"
    mantissa, exponent = f"{v:.1e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def sym(name: str) -> str:
    """LaTeX for a unit or parameter name: h1 → h_{1}, h2_3 → h^{(2)}_{3}, w5 → w_{5}, b_o1 → b_{o_{1}}."""
    if name.startswith("b_"):
        return f"b_{{{sym(name[2:])}}}"
    head, rest = name[0], name[1:]
    if "_" in rest:
        layer, unit = rest.split("_", 1)
        return f"{head}^{{({layer})}}_{{{unit}}}"
    return f"{head}_{{{rest}}}"


def func(name: str) -> str:
    """The activation's symbol."""
    escaped = name.replace("_", "\\_")
    return FUNC.get(name, rf"\mathrm{{{escaped}}}")


def color(c: str, body: str) -> str:
    """Coloured LaTeX (\\textcolor takes an argument, so the colour cannot leak)."""
    return rf"\textcolor{{{c}}}{{{body}}}"


def forward_latex(n: NeuronForward) -> str:
    """z_j = Σ_i w_ij a_i + b_j with the numbers, then a_j = f(z_j)."""
    j = sym(n.name)
    below = [sym(a) if n.layer == 1 else f"a_{{{sym(a)}}}" for a in n.inputs]
    terms = " + ".join(f"{sym(w)}\\,{a}" for w, a in zip(n.weight_names, below))
    nums = " + ".join(f"{fac(w)} \\cdot {fac(a)}" for w, a in zip(n.weights, n.a_below))
    b = sym("b_" + n.name)
    if couples_outputs(n.activation):
        act = rf"a_{{{j}}} &= \mathrm{{softmax}}(\mathbf{{z}})_{{{j}}} = \frac{{e^{{z_{{{j}}}}}}}{{\sum_k e^{{z_k}}}} = {num(n.a)}"
    else:
        act = rf"a_{{{j}}} &= {func(n.activation)}(z_{{{j}}}) = {func(n.activation)}({num(n.z)}) = {num(n.a)}"
    return (rf"\begin{{aligned}} z_{{{j}}} &= {terms} + {b} \\ &= {nums} + {fac(n.bias)} \\ &= {num(n.z)} \\ "
            rf"{act} \end{{aligned}}")


def loss_latex(wt: Walkthrough, after: bool = False) -> str:
    """The loss with the outputs and targets substituted, and its value from the engine (after the update: the new loss)."""
    o = [sym(n) for n in wt.unit_names[-1]]
    yh, y = (wt.outputs_after, wt.y) if after else (wt.outputs, wt.y)
    terms, value = (wt.loss_terms_after, wt.loss_after) if after else (wt.loss_terms, wt.loss_before)
    if wt.loss == "crossentropy":
        k = wt.label
        return (rf"\mathcal{{L}} = -\log \hat y_{{{o[k]}}} = -\log {num(yh[k])} = {num(value)}"
                rf"\qquad (\text{{target class: }} {o[k]},\ \text{{the largest entry of }} \mathbf{{y}})")
    if wt.loss == "half_sse":
        sym_terms = [rf"\tfrac12 (y_{{{i + 1}}} - \hat y_{{{s}}})^2" for i, s in enumerate(o)]
        num_terms = [rf"\tfrac12 ({num(y[i])} - {num(yh[i])})^2" for i in range(len(o))]
    elif wt.loss == "mse":
        sym_terms = [rf"\tfrac1{{{len(o)}}} (\hat y_{{{s}}} - y_{{{i + 1}}})^2" for i, s in enumerate(o)]
        num_terms = [rf"\tfrac1{{{len(o)}}} ({num(yh[i])} - {num(y[i])})^2" for i in range(len(o))]
    else:  # binary cross-entropy: −(1/N) Σ [y log ŷ + (1 − y) log(1 − ŷ)]
        brackets = [rf"[y_{{{i + 1}}} \log \hat y_{{{s}}} + (1-y_{{{i + 1}}}) \log(1-\hat y_{{{s}}})]" for i, s in enumerate(o)]
        nums = [rf"[{num(y[i])} \log {num(yh[i])} + {num(1 - y[i])} \log {num(1 - yh[i])}]" for i in range(len(o))]
        sym_terms = [rf"-\tfrac1{{{len(o)}}} \big(" + " + ".join(brackets) + r"\big)"]
        num_terms = [rf"-\tfrac1{{{len(o)}}} \big(" + " + ".join(nums) + r"\big)"]
    return (rf"\begin{{aligned}} \mathcal{{L}} &= {' + '.join(sym_terms)} \\ &= {' + '.join(num_terms)} \\ "
            rf"&= {' + '.join(num(t) for t in terms)} = {num(value)} \end{{aligned}}")


def _red_detail(wt: Walkthrough, g: GradientStep) -> str:
    """How ∂L/∂a_j is obtained: from the loss for an output, from the deltas of the layer above otherwise."""
    j = sym(g.unit_name)
    head = rf"\frac{{\partial \mathcal{{L}}}}{{\partial a_{{{j}}}}}"
    if g.red_terms:
        syms = " + ".join(rf"\delta_{{{sym(k)}}}\, {sym(w)}" for k, _, w, _ in g.red_terms)
        nums = " + ".join(f"{fac(d)} \\cdot {fac(w)}" for _, d, _, w in g.red_terms)
        return rf"\begin{{aligned}} {head} &= {syms} \\ &= {nums} \\ &= {num(g.red)} \end{{aligned}}"
    yh, y = wt.outputs[g.unit], wt.y[g.unit]
    n = len(wt.outputs)
    forms = {
        "half_sse": (r"\hat y - y", f"{num(yh)} - {fac(y)}"),
        "mse": (rf"\tfrac{{2}}{{{n}}}(\hat y - y)", rf"\tfrac{{2}}{{{n}}}({num(yh)} - {fac(y)})"),
        "binary_crossentropy": (rf"\tfrac{{1}}{{{n}}}\tfrac{{\hat y - y}}{{\hat y (1 - \hat y)}}",
                                rf"\tfrac{{1}}{{{n}}}\tfrac{{{num(yh)} - {fac(y)}}}{{{num(yh)} \cdot {num(1 - yh)}}}"),
        "crossentropy": (r"-\tfrac{[j = \text{class}]}{\hat y}", rf"-\tfrac{{{int(g.unit == wt.label)}}}{{{num(yh)}}}"),
    }
    f, v = forms[wt.loss]
    return rf"{head} = {f} = {v} = {num(g.red)}"


def gradient_latex(wt: Walkthrough, g: GradientStep) -> list[str]:
    """The chain rule for one parameter: symbols, each factor's origin, the product and the check."""
    j, p = sym(g.unit_name), sym(g.param)
    dL_dp = rf"\frac{{\partial \mathcal{{L}}}}{{\partial {p}}}"
    red = color(RED, rf"\frac{{\partial \mathcal{{L}}}}{{\partial a_{{{j}}}}}")
    blue = color(BLUE, rf"\frac{{\partial a_{{{j}}}}}{{\partial z_{{{j}}}}}")
    green = color(GREEN, rf"\frac{{\partial z_{{{j}}}}}{{\partial {p}}}")
    below = "" if g.source is None else sym(g.source_name) if g.layer == 1 else rf"a_{{{sym(g.source_name)}}}"
    green_val = "1" if g.source is None else rf"{below} = {num(g.green)}"
    lines = []
    if g.blue is None:  # softmax output: the outputs share every z, so ∂L/∂z comes as one piece
        delta = color(RED, rf"\frac{{\partial \mathcal{{L}}}}{{\partial z_{{{j}}}}}")
        lines.append(rf"{dL_dp} = {delta}\;{green}")
        lines.append(color(RED, rf"\frac{{\partial \mathcal{{L}}}}{{\partial z_{{{j}}}}} = \sum_k \frac{{\partial \mathcal{{L}}}}{{\partial a_k}}"
                                rf"\frac{{\partial a_k}}{{\partial z_{{{j}}}}} = {num(g.delta)}") +
                     r"\quad(\text{softmax couples all outputs})")
        lines.append(color(GREEN, rf"\frac{{\partial z_{{{j}}}}}{{\partial {p}}} = {green_val}"))
        lines.append(rf"{dL_dp} = {color(RED, fac(g.delta))} \cdot {color(GREEN, fac(g.green))} = {num(g.grad)}")
    else:
        f = func(wt.activation if g.layer < len(wt.layer_sizes) - 1 else wt.output)
        lines.append(rf"{dL_dp} = {red}\;{blue}\;{green}")
        lines.append(color(RED, _red_detail(wt, g)))
        lines.append(color(BLUE, rf"\frac{{\partial a_{{{j}}}}}{{\partial z_{{{j}}}}} = {f}'(z_{{{j}}}) = "
                                 rf"{f}'({num(g.z)}) = {num(g.blue)}"))
        lines.append(color(GREEN, rf"\frac{{\partial z_{{{j}}}}}{{\partial {p}}} = {green_val}"))
        role = "the delta passed down to the layer below" if g.layer > 1 else "the first layer: the inputs need no delta"
        lines.append(rf"\delta_{{{j}}} = \frac{{\partial \mathcal{{L}}}}{{\partial z_{{{j}}}}} = {color(RED, fac(g.red))} \cdot "
                     rf"{color(BLUE, fac(g.blue))} = {num(g.delta)}\quad(\text{{{role}}})")
        lines.append(rf"{dL_dp} = {color(RED, fac(g.red))} \cdot {color(BLUE, fac(g.blue))} \cdot "
                     rf"{color(GREEN, fac(g.green))} = {num(g.grad)}")
    lines.append(rf"\text{{check: }} \frac{{\mathcal{{L}}({p} + h) - \mathcal{{L}}({p} - h)}}{{2h}} = {num(g.numeric, 11)}"
                 rf"\quad (h = 10^{{-6}},\ |\text{{difference}}| = {sci(abs(g.numeric - g.grad))})")
    return lines


def update_latex(wt: Walkthrough, param: str) -> str:
    """w⁺ = w − η·∂L/∂w for one parameter."""
    row = next(r for r in wt.update if r.param == param)
    p = sym(param)
    return (rf"{p}^{{+}} = {p} - \eta\,\frac{{\partial \mathcal{{L}}}}{{\partial {p}}} = {num(row.old)} - {num(wt.eta)} \cdot "
            rf"{fac(row.grad)} = {num(row.new)}")


def is_mazur(wt: Walkthrough) -> bool:
    """Whether this is exactly Mazur's example (2-2-2, sigmoid, ½·SSE, his numbers, η = 0.5, weights only)."""
    p = wt.params
    return (wt.layer_sizes == (2, 2, 2) and (wt.activation, wt.output, wt.loss) == ("sigmoid", "sigmoid", "half_sse")
            and tuple(wt.x) == MAZUR["x"] and tuple(wt.y) == MAZUR["y"] and wt.eta == MAZUR["eta"]
            and not wt.update_biases and all(np.array_equal(p[2 * l].T, MAZUR[f"W{l + 1}"]) and
                                             np.array_equal(p[2 * l + 1], MAZUR[f"b{l + 1}"]) for l in range(2)))


def forward_frame(wt: Walkthrough, upto: int) -> pd.DataFrame:
    """The units computed so far: z and a."""
    rows = wt.forward[:upto]
    return pd.DataFrame({"unit": [n.name for n in rows], "z": [n.z for n in rows], "a = f(z)": [n.a for n in rows]})


def forward_after_frame(wt: Walkthrough) -> pd.DataFrame:
    """Each unit's a before and after the update."""
    return pd.DataFrame({"unit": [n.name for n in wt.forward], "a before": [n.a for n in wt.forward],
                         "a after": [n.a for n in wt.forward_after]})


def backward_frame(wt: Walkthrough, upto: int) -> pd.DataFrame:
    """The gradients computed so far, each factor, the engine's value and the finite difference."""
    rows = wt.backward[:upto]
    return pd.DataFrame({
        "parameter": [g.param for g in rows],
        "∂L/∂a (red)": [g.red for g in rows],
        "∂a/∂z (blue)": [np.nan if g.blue is None else g.blue for g in rows],
        "∂z/∂θ (green)": [g.green for g in rows],
        "δ = ∂L/∂z": [g.delta for g in rows],
        "∂L/∂θ engine": [g.grad for g in rows],
        "finite diff.": [g.numeric for g in rows],
        "|diff|": [abs(g.grad - g.numeric) for g in rows],
    })


def update_frame(wt: Walkthrough) -> pd.DataFrame:
    """θ, ∂L/∂θ and θ − η·∂L/∂θ for every parameter (unchanged where not updated)."""
    return pd.DataFrame({
        "parameter": [r.param for r in wt.update],
        "before": [r.old for r in wt.update],
        "∂L/∂θ": [r.grad for r in wt.update],
        "after": [r.new for r in wt.update],
        "updated": ["yes" if r.updated else "no" for r in wt.update],
    })


def _bmatrix(M: np.ndarray, digits: int = 3) -> str:
    rows = [" & ".join(num(v, digits) for v in row) for row in np.atleast_2d(M)]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _under(M: np.ndarray, name: str) -> str:
    r, c = np.atleast_2d(M).shape
    return rf"\underbrace{{{_bmatrix(M)}}}_{{{name}\ ({r}\times {c})}}"


def tensor_latex(op: LayerOps, l: int, first: bool) -> tuple[str, str]:
    """Z^(l) = A^(l-1) W^(l) + 1 b^(l)ᵀ with shapes under each factor, then A^(l) = f(Z^(l))."""
    a_in = r"X" if first else rf"A^{{({l - 1})}}"
    W, B, Z, A = rf"W^{{({l})}}", rf"\mathbf{{1}}\,\mathbf{{b}}^{{({l})\top}}", rf"Z^{{({l})}}", rf"A^{{({l})}}"
    lin = rf"{_under(op.A_in, a_in)}\;{_under(op.W, W)} + {_under(op.B, B)} = {_under(op.Z, Z)}"
    act = rf"{A} = {func(op.activation)}\big({Z}\big) = {_under(op.A_out, A)}"
    return lin, act


def broadcast_latex(op: LayerOps, l: int) -> str:
    """b^(l) (units) repeated on every row of the batch: the broadcast that the + in Z = XW + b performs."""
    n, units = op.B.shape
    b = " & ".join(num(v, 3) for v in op.B[0])
    repeated = _under(op.B, rf"\mathbf{{1}}\,\mathbf{{b}}^{{({l})\top}}")
    return (rf"\underbrace{{\begin{{bmatrix}}{b}\end{{bmatrix}}}}_{{\mathbf{{b}}^{{({l})}}\ ({units})}}"
            rf"\;\xrightarrow{{\text{{broadcast: repeat on all {n} rows}}}}\;{repeated}")


def tensor_code(ops: list[LayerOps]) -> str:
    """The same forward pass as NumPy lines, with the shapes in comments."""
    lines = []
    for l, op in enumerate(ops, start=1):
        a_in = "X" if l == 1 else f"A{l - 1}"
        lines.append(f"Z{l} = {a_in} @ W{l} + b{l}   # {op.A_in.shape} @ {op.W.shape} -> {op.AW.shape}; "
                     f"b{l} {op.B.shape[1:]} is broadcast to {op.B.shape}")
        how = "row by row (each row sums to 1)" if couples_outputs(op.activation) else "element-wise"
        lines.append(f"A{l} = {op.activation}(Z{l})   # {how}, {op.A_out.shape}")
    return "\n".join(lines)


def batch_frame(bg: BatchGradients) -> pd.DataFrame:
    """Per-sample gradients per parameter, their sum and mean, and the engine's batch gradient."""
    df = pd.DataFrame(bg.per_sample, columns=[f"sample {s + 1}" for s in range(bg.per_sample.shape[1])])
    df.insert(0, "parameter", bg.names)
    df["Σ samples"] = bg.total
    df["mean"] = bg.mean
    df["engine (batch)"] = bg.batch
    return df
