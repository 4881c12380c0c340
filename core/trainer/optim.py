"""Optimizer and learning-rate schedule for a config (the lecture's optimizer names, torch's classes)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import torch

from core.schedules import make_schedule
from core.trainer.config import TrainConfig

# name -> (torch class, fixed hyper-parameters); lr and weight_decay come from the config.
TORCH_OPTIMIZERS: dict[str, tuple[type[torch.optim.Optimizer], dict[str, Any]]] = {
    "sgd": (torch.optim.SGD, {}),
    "momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (torch.optim.Adagrad, {}),
    "rmsprop": (torch.optim.RMSprop, {"momentum": 0.0}),  # torch defaults alpha 0.99, eps 1e-8 (the lecture's)
    "adam": (torch.optim.Adam, {}),
    "adamax": (torch.optim.Adamax, {}),
    "adamw": (torch.optim.AdamW, {}),  # weight decay decoupled from the gradient
}


def make_optimizer(config: TrainConfig, params: Iterable[torch.nn.Parameter]) -> torch.optim.Optimizer:
    """torch optimizer for ``config.optimizer`` with lr and L2 as weight_decay (λ·w added to the gradient)."""
    cls, fixed = TORCH_OPTIMIZERS[config.optimizer]
    return cls(list(params), lr=config.lr, weight_decay=config.l2, **fixed)


def schedule_kwargs(config: TrainConfig, steps_per_epoch: int) -> dict[str, float]:
    """The schedule's keywords: the config's own, else defaults scaled to the run's length in steps."""
    if config.schedule_kw:
        return dict(config.schedule_kw)
    total = max(1, steps_per_epoch * config.epochs)
    defaults: dict[str, dict[str, float]] = {
        "exponential": {"decay_rate": math.log(10.0) / total},  # ÷10 over the run
        "keras_exponential": {"decay_rate": 0.96, "decay_steps": max(1, steps_per_epoch // 10)},
        "inverse_time": {"decay_rate": 9.0 / total},  # ÷10 over the run
        "step": {"step_size": steps_per_epoch, "gamma": 0.8},  # ×0.8 every epoch
        "cyclical": {"max_lr": 5 * config.lr, "step_size": steps_per_epoch},  # one epoch up, one down
        "cosine_restarts": {"T_0": steps_per_epoch, "T_mult": 2, "eta_min": 0.0},  # restarts after 1, 3, 7, 15… epochs
    }
    return defaults.get(config.schedule, {})


def make_lr_schedule(config: TrainConfig, steps_per_epoch: int) -> Callable[[int], float]:
    """η(step) from core.schedules, step 0 being the first optimizer step."""
    return make_schedule(config.schedule, config.lr, **schedule_kwargs(config, steps_per_epoch))
