"""One experiment end to end: prepare the splits, train (optionally from saved weights), evaluate on test."""

from __future__ import annotations

import threading
from collections.abc import Callable

import torch
from torch import nn

from core.trainer.data import FashionMNIST, Splits, prepare
from core.trainer.config import TrainConfig
from core.trainer.evaluation import Evaluation, evaluate
from core.trainer.events import Event
from core.trainer.loop import TrainResult, train
from core.trainer.models import build_model
from core.trainer.runs import load_run, load_state


def splits_for(config: TrainConfig, data: FashionMNIST) -> Splits:
    """The config's data preparation applied to ``data``."""
    return prepare(
        data,
        split=config.split,
        test_fraction=config.test_fraction,
        val_fraction=config.val_fraction,
        scale=config.scale_inputs,
        seed=config.seed,
        train_limit=config.train_limit or None,
    )


def check_transfer(config: TrainConfig) -> TrainConfig | None:
    """The config of ``config.init_from``'s saved run (None without one); ValueError if it cannot start this config."""
    if not config.init_from:
        return None
    source = load_run(config.init_from).config
    if config.freeze and source.hidden[: config.freeze] != config.hidden[: config.freeze]:
        raise ValueError(
            f"cannot freeze {config.freeze} layer(s): the saved run has hidden {list(source.hidden)}, "
            f"this config {list(config.hidden)}"
        )
    if config.freeze and config.batch_norm and not source.batch_norm:
        raise ValueError("cannot freeze layers whose batch norm the saved run never trained (it had none)")
    return source


def rekeyed(state: dict[str, torch.Tensor], source: TrainConfig, target: TrainConfig) -> dict[str, torch.Tensor]:
    """``state`` of a ``source`` model under the keys of a ``target`` model: the k-th Linear (and the k-th
    BatchNorm1d) of one becomes the k-th of the other, whatever dropout layers shift their places."""
    def places(config: TrainConfig) -> dict[type, list[int]]:
        out: dict[type, list[int]] = {}
        for i, m in enumerate(build_model(config)):
            out.setdefault(type(m), []).append(i)
        return out

    src, dst = places(source), places(target)
    move = {f"{a}.": f"{b}." for kind in (nn.Linear, nn.BatchNorm1d) for a, b in zip(src.get(kind, []), dst.get(kind, []))}
    out = {}
    for key, value in state.items():
        prefix, _, name = key.partition(".")
        if f"{prefix}." in move:
            out[move[f"{prefix}."] + name] = value
    return out


def transfer_state(config: TrainConfig) -> dict[str, torch.Tensor] | None:
    """The weights of ``config.init_from`` under this config's layer keys (None without it); ValueError if unfit."""
    source = check_transfer(config)
    return None if source is None else rekeyed(load_state(config.init_from), source, config)


def run_experiment(
    config: TrainConfig,
    data: FashionMNIST | Splits,
    *,
    on_event: Callable[[Event], None] | None = None,
    stop: threading.Event | None = None,
    top_mistakes: int = 24,
) -> tuple[TrainResult, Splits, Evaluation | None]:
    """Train ``config`` and score the model on the test split (no test score for a diverged model)."""
    splits = data if isinstance(data, Splits) else splits_for(config, data)
    result = train(config, splits, on_event=on_event, stop=stop, init_state=transfer_state(config))
    finite = all(torch.isfinite(p).all() for p in result.model.parameters())
    evaluation = None
    if finite and len(splits.y_test):
        evaluation = evaluate(result.model, splits.X_test, splits.y_test, scale=splits.scale, top_mistakes=top_mistakes)
        result.metrics.update(test_accuracy=evaluation.accuracy, test_loss=evaluation.loss,
                              per_class_accuracy=evaluation.per_class_accuracy.tolist(),
                              confusion=evaluation.confusion.tolist())  # fmt: skip
    else:
        result.metrics.update(test_accuracy=None, test_loss=None)
    return result, splits, evaluation
