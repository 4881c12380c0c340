"""Parameter groups as torch.optim has them: each group of parameters with its own options (say, weight decay
on the weights W only, none on the biases b and batch norm's γ, β), one optimizer over all of them.

``make_optimizer(name, [{"params": Ws, "weight_decay": λ}, {"params": bs, "weight_decay": 0.0}], lr=η)`` builds
one optimizer of the registered kind per group (the group's options over the shared ones) and steps them together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from core.engine.optim.base import Optimizer

Group = Mapping[str, Any]  # {"params": [arrays], option: value, ...}


def is_groups(params: Any) -> bool:
    """Whether ``params`` is a list of torch-style group dicts rather than a list of arrays."""
    return isinstance(params, (list, tuple)) and len(params) > 0 and all(isinstance(g, Mapping) for g in params)


class ParamGroups(Optimizer):
    """Several optimizers of one kind stepped as one; ``step(grads)`` takes gradients aligned with ``params``."""

    def __init__(self, optimizers: Sequence[Optimizer], order: Sequence[np.ndarray] | None = None) -> None:
        self.optimizers = list(optimizers)
        grouped = [p for opt in self.optimizers for p in opt.params]
        self.params = grouped if order is None else list(order)
        where = {id(p): (g, i) for g, opt in enumerate(self.optimizers) for i, p in enumerate(opt.params)}
        if len(where) != len(grouped) or len(self.params) != len(grouped) or \
                {id(p) for p in self.params} != set(where):
            raise ValueError("each parameter must belong to exactly one group, and the order must list each once")
        self._slot = [where[id(p)] for p in self.params]  # params[k] is group g's i-th parameter
        first = self.optimizers[0]
        self.name, self.label, self.torch_name = first.name, first.label, first.torch_name
        self.steps = 0

    @property
    def lr(self) -> Any:
        """The first group's η; setting it (a schedule does) sets every group's."""
        return self.optimizers[0].lr

    @lr.setter
    def lr(self, value: Any) -> None:
        for opt in self.optimizers:
            opt.lr = value

    @property
    def weight_decay(self) -> list[float]:
        """Each group's weight decay λ (AdamW's decoupled one too)."""
        return [getattr(opt, "decay", opt.weight_decay) for opt in self.optimizers]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """One update of every group, in place; ``grads`` aligned with ``params``."""
        if len(grads) != len(self.params):
            raise ValueError(f"got {len(grads)} gradients for {len(self.params)} parameters")
        per_group: list[list[np.ndarray]] = [[None] * len(opt.params) for opt in self.optimizers]  # type: ignore[list-item]
        for (g, i), grad in zip(self._slot, grads):
            per_group[g][i] = grad
        self.steps += 1
        for opt, group_grads in zip(self.optimizers, per_group):
            opt.step(group_grads)

    def effective_lr(self) -> list[np.ndarray]:
        """Per-coordinate η_i of each parameter, aligned with ``params``."""
        rates = [opt.effective_lr() for opt in self.optimizers]
        return [rates[g][i] for g, i in self._slot]


def build_groups(cls: type[Optimizer], groups: Sequence[Group], hyper: Mapping[str, Any],
                 order: Sequence[np.ndarray] | None = None) -> ParamGroups:
    """One ``cls`` per group with ``{**hyper, **group options}``; unknown option names raise ValueError."""
    optimizers = []
    for k, group in enumerate(groups):
        if "params" not in group:
            raise ValueError(f"parameter group {k} has no 'params' entry")
        options = {key: value for key, value in group.items() if key != "params"}
        unknown = set(options) - set(cls.defaults)
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)} in parameter group {k} for {cls.name!r}; "
                             f"valid: {', '.join(cls.defaults)}")
        optimizers.append(cls(list(group["params"]), **{**hyper, **options}))
    return ParamGroups(optimizers, order)


def decay_groups(params: Sequence[np.ndarray], weight_index: Sequence[int], weight_decay: float) -> list[dict]:
    """Weight decay λ on the weight matrices (``params[i]`` for i in ``weight_index``), none on the rest (b, γ, β)."""
    weights = set(weight_index)
    return [{"params": [p for i, p in enumerate(params) if i in weights], "weight_decay": weight_decay},
            {"params": [p for i, p in enumerate(params) if i not in weights], "weight_decay": 0.0}]
