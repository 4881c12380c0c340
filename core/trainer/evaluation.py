"""Evaluation on held-out data: accuracy, loss, confusion matrix, per-class accuracy, confident mistakes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from core.trainer.models import N_CLASSES

CHUNK = 8192  # rows per forward pass when evaluating (bounded memory, no per-sample work)


def as_inputs(X_u8: torch.Tensor, scale: bool) -> torch.Tensor:
    """uint8 pixels (n, 784) → float32 inputs, divided by 255 when ``scale`` (x ∈ [0, 1])."""
    X = X_u8.float()
    return X.mul_(1.0 / 255.0) if scale else X


@torch.no_grad()
def predict_logits(model: nn.Module, X_u8: torch.Tensor, scale: bool, chunk: int = CHUNK) -> torch.Tensor:
    """Logits (n, 10) in eval mode (dropout off, batch-norm running statistics), in chunks."""
    was_training = model.training
    model.eval()
    try:
        outs = [model(as_inputs(X_u8[i : i + chunk], scale)).float() for i in range(0, len(X_u8), chunk)]
    finally:
        model.train(was_training)
    if not outs:
        return torch.empty(0, N_CLASSES, device=X_u8.device)
    return torch.cat(outs)


def confusion(y_true: torch.Tensor, y_pred: torch.Tensor, n: int = N_CLASSES) -> np.ndarray:
    """C[i, j] = number of images of true class i predicted as class j."""
    flat = torch.bincount(y_true.long() * n + y_pred.long(), minlength=n * n)
    return flat.reshape(n, n).cpu().numpy()


@torch.no_grad()
def validate(
    model: nn.Module, X_u8: torch.Tensor, y: torch.Tensor, scale: bool, criterion: nn.Module
) -> tuple[float, float, np.ndarray | None]:
    """The validation pass: (criterion loss, accuracy, confusion (10, 10)); (NaN, NaN, None) for an empty split."""
    if len(y) == 0:
        return float("nan"), float("nan"), None
    logits = predict_logits(model, X_u8, scale)  # (n_val, 10)
    pred = logits.argmax(1)
    return float(criterion(logits, y)), float((pred == y).float().mean()), confusion(y, pred)


@dataclass(frozen=True)
class Evaluation:
    """Scores on one split; ``mistakes`` are the most confident wrong predictions, most confident first."""

    accuracy: float
    loss: float  # plain cross-entropy (no label smoothing)
    confusion: np.ndarray  # (10, 10) int
    per_class_accuracy: np.ndarray  # (10,) recall of every class
    mistakes: list[dict] = field(default_factory=list)  # index, true, pred, confidence, probs (10,)

    def to_dict(self) -> dict:
        """JSON-ready numbers (mistakes keep their probabilities as lists)."""
        return {
            "accuracy": self.accuracy,
            "loss": self.loss,
            "confusion": self.confusion.tolist(),
            "per_class_accuracy": self.per_class_accuracy.tolist(),
            "mistakes": [{**m, "probs": list(m["probs"])} for m in self.mistakes],
        }


def evaluate(model: nn.Module, X_u8: np.ndarray, y: np.ndarray, *, scale: bool = True, top_mistakes: int = 24) -> Evaluation:
    """Run the model on (X (n, 784) uint8, y (n,)) on the model's device and score it."""
    device = next(model.parameters()).device
    X_t = torch.as_tensor(X_u8, device=device)
    y_t = torch.as_tensor(y, device=device).long()
    logits = predict_logits(model, X_t, scale)  # (n, 10)
    if len(y_t) == 0:
        raise ValueError("cannot evaluate on an empty split")
    probs = torch.softmax(logits, dim=1)
    pred = probs.argmax(1)
    C = confusion(y_t, pred)
    support = C.sum(axis=1)
    per_class = np.divide(np.diag(C), support, out=np.zeros(N_CLASSES), where=support > 0)
    wrong = torch.nonzero(pred != y_t).flatten()
    conf = probs[wrong, pred[wrong]]
    order = torch.argsort(conf, descending=True)[:top_mistakes]
    mistakes = [
        {
            "index": int(wrong[k]),
            "true": int(y_t[wrong[k]]),
            "pred": int(pred[wrong[k]]),
            "confidence": float(conf[k]),
            "probs": probs[wrong[k]].cpu().numpy().round(6).tolist(),
        }
        for k in order.tolist()
    ]
    return Evaluation(
        accuracy=float((pred == y_t).float().mean()),
        loss=float(F.cross_entropy(logits, y_t)),
        confusion=C,
        per_class_accuracy=per_class,
        mistakes=mistakes,
    )
