"""Gradient-descent optimizers with torch.optim's semantics, over lists of NumPy arrays: the registry.

Each optimizer owns per-parameter state and updates the arrays in ``params`` in place through
``step(grads)``; backward passes never touch weights. ``sgd.py`` holds SGD, momentum and Nesterov,
``adaptive.py`` Adagrad and RMSprop, ``adam.py`` Adam, AdamW, Adamax and NAdam, ``base.py`` the shared step loop,
``groups.py`` torch-style parameter groups (per-parameter options such as weight decay on the weights only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from core.engine.optim.adam import Adam, Adamax, AdamW, NAdam
from core.engine.optim.adaptive import Adagrad, RMSprop
from core.engine.optim.base import Optimizer
from core.engine.optim.groups import ParamGroups, build_groups, decay_groups, is_groups
from core.engine.optim.sgd import SGD, Momentum, Nesterov

__all__ = ["OPTIMIZERS", "make_optimizer", "Optimizer", "SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam",
           "AdamW", "Adamax", "NAdam", "ParamGroups", "decay_groups"]

OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam, Adamax, NAdam, AdamW)
}


def make_optimizer(name: str, params: Sequence[np.ndarray] | Sequence[Mapping[str, Any]],
                   order: Sequence[np.ndarray] | None = None, **hyper: Any) -> Optimizer:
    """Build the optimizer registered as ``name`` over ``params`` with torch-named hyper-parameters.

    ``params`` is a list of arrays, or of torch-style groups ``{"params": [...], option: value}`` whose options
    override ``hyper`` for that group; ``order`` is the order ``step`` then takes gradients in (default: by group).
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[name]
    unknown = set(hyper) - set(cls.defaults)
    if unknown:
        raise ValueError(
            f"unknown hyper-parameter(s) {sorted(unknown)} for {name!r}; valid: {', '.join(cls.defaults)}"
        )
    if is_groups(params):
        return build_groups(cls, params, hyper, order)
    if order is not None:
        raise ValueError("order applies to parameter groups only")
    return cls(params, **hyper)
