"""One experiment end to end: prepare the splits, train (optionally from saved weights), evaluate on test."""

from __future__ import annotations

import threading
from collections.abc import Callable

import torch

from core.fashion_data import FashionMNIST, Splits, prepare
from core.trainer.config import TrainConfig
from core.trainer.evaluation import Evaluation, evaluate
from core.trainer.events import Event
from core.trainer.loop import TrainResult, train
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


def transfer_state(config: TrainConfig) -> dict[str, torch.Tensor] | None:
    """The weights of ``config.init_from`` (None without it); ValueError if its first layers do not fit."""
    if not config.init_from:
        return None
    source = load_run(config.init_from).config
    shared = min(len(source.hidden), len(config.hidden))
    if config.freeze > shared or source.hidden[: config.freeze] != config.hidden[: config.freeze]:
        raise ValueError(
            f"cannot freeze {config.freeze} layer(s): the saved run has hidden {list(source.hidden)}, "
            f"this config {list(config.hidden)}"
        )
    if source.batch_norm != config.batch_norm or bool(source.dropouts() and any(source.dropouts())) != bool(
        any(config.dropouts())
    ):
        raise ValueError("transfer learning needs the same layer layout (batch norm and dropout on/off) as the saved run")
    return load_state(config.init_from)


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
