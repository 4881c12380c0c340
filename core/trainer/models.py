"""Config → ``nn.Sequential``, the Lightning-style model summary, and device selection."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from core.trainer.config import TrainConfig

N_INPUTS, N_CLASSES = 784, 10

# The registry names of core.engine.activations, as torch modules.
TORCH_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "elu": lambda: nn.ELU(alpha=1.0),
    "selu": nn.SELU,
    "gelu": nn.GELU,  # exact (erf) form, like core.engine.activations
    "silu": nn.SiLU,
    "softplus": nn.Softplus,
    "linear": nn.Identity,
}


def _lecun_normal(w: torch.Tensor) -> None:
    nn.init.normal_(w, 0.0, 1.0 / math.sqrt(w.shape[1]))


def _lecun_uniform(w: torch.Tensor) -> None:
    bound = math.sqrt(3.0 / w.shape[1])
    nn.init.uniform_(w, -bound, bound)


# The registry names of core.engine.initializers, as torch.nn.init calls on a Linear weight (out, in).
TORCH_INITIALIZERS: dict[str, Callable[[torch.Tensor], object] | None] = {
    "torch_default": None,  # keep nn.Linear's kaiming_uniform(a=√5) weights and uniform biases
    "zeros": nn.init.zeros_,
    "normal_small": lambda w: nn.init.normal_(w, 0.0, 0.01),
    "normal_large": lambda w: nn.init.normal_(w, 0.0, 1.0),
    "glorot_normal": nn.init.xavier_normal_,
    "glorot_uniform": nn.init.xavier_uniform_,
    "he_normal": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "he_uniform": lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"),
    "lecun_normal": _lecun_normal,
    "lecun_uniform": _lecun_uniform,
}


def build_model(config: TrainConfig) -> nn.Sequential:
    """784 → [Linear → (BatchNorm1d) → activation → (Dropout)] per hidden layer → Linear → 10 logits."""
    layers: list[nn.Module] = []
    width = N_INPUTS
    for units, p in zip(config.hidden, config.dropouts()):
        layers.append(nn.Linear(width, units))
        if config.batch_norm:
            layers.append(nn.BatchNorm1d(units))
        layers.append(TORCH_ACTIVATIONS[config.activation]())
        if p > 0:
            layers.append(nn.Dropout(p))
        width = units
    layers.append(nn.Linear(width, N_CLASSES))
    model = nn.Sequential(*layers)
    init = TORCH_INITIALIZERS[config.init]
    if init is not None:
        for m in model:
            if isinstance(m, nn.Linear):
                init(m.weight)
                nn.init.zeros_(m.bias)
    return model


def blocks(model: nn.Sequential) -> list[list[nn.Module]]:
    """The modules grouped per Linear layer (a hidden block is Linear + BN + activation + dropout)."""
    groups: list[list[nn.Module]] = []
    for m in model:
        if isinstance(m, nn.Linear) or not groups:
            groups.append([])
        groups[-1].append(m)
    return groups


def freeze_blocks(model: nn.Sequential, n: int) -> int:
    """Stop gradients for the first ``n`` blocks; returns how many parameters are frozen."""
    frozen = 0
    for group in blocks(model)[:n]:
        for m in group:
            for p in m.parameters():
                p.requires_grad_(False)
                frozen += p.numel()
    return frozen


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary: index, module type, output shape and parameter count."""

    name: str
    kind: str
    output_shape: tuple[int, ...]  # without the batch dimension
    params: int
    trainable: bool


@dataclass(frozen=True)
class ModelSummary:
    """Per-layer rows and the totals Lightning prints (size = params × 4 bytes, in MB)."""

    rows: tuple[SummaryRow, ...]
    trainable: int
    non_trainable: int

    @property
    def total(self) -> int:
        """All parameters."""
        return self.trainable + self.non_trainable

    @property
    def size_mb(self) -> float:
        """Estimated size of the float32 parameters in MB (10⁶ bytes)."""
        return self.total * 4 / 1e6

    def table(self) -> str:
        """The summary as fixed-width text, like ``ModelSummary(model)`` prints it."""
        lines = [f"  | {'Name':<4} | {'Type':<12} | {'Output':<10} | {'Params':>9}", "-" * 48]
        for r in self.rows:
            lines.append(f"  | {r.name:<4} | {r.kind:<12} | {str(list(r.output_shape)):<10} | {r.params:>9,}")
        lines += [
            "-" * 48,
            f"{self.trainable:,} Trainable params",
            f"{self.non_trainable:,} Non-trainable params",
            f"{self.total:,} Total params",
            f"{self.size_mb:.3f} Total estimated model params size (MB)",
        ]
        return "\n".join(lines)


def summarize(model: nn.Sequential) -> ModelSummary:
    """Each layer's output shape (per sample) and parameter count, plus totals."""
    rows = []
    width = N_INPUTS
    for i, m in enumerate(model):
        width = m.out_features if isinstance(m, nn.Linear) else width
        n = sum(p.numel() for p in m.parameters())
        rows.append(SummaryRow(str(i), type(m).__name__, (width,), n, all(p.requires_grad for p in m.parameters())))
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return ModelSummary(tuple(rows), trainable, frozen)


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def available_devices() -> tuple[str, ...]:
    """The device names torch can use here: "cpu", plus "cuda" and "mps" only when torch sees them."""
    return ("cpu",) + (("cuda",) if torch.cuda.is_available() else ()) + (("mps",) if _mps_available() else ())


def select_device(name: str = "auto") -> tuple[torch.device, str]:
    """``auto`` picks CUDA, then Apple MPS, then CPU; returns the device and a sentence saying which."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "mps" if _mps_available() else "cpu"
        why = "auto: "
    else:
        why = ""
    if name == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("device 'cuda' requested but torch sees no CUDA GPU; use 'auto' or 'cpu'")
        return torch.device("cuda"), f"{why}CUDA GPU ({torch.cuda.get_device_name(0)})"
    if name == "mps":
        if not _mps_available():
            raise ValueError("device 'mps' requested but Apple MPS is not available; use 'auto' or 'cpu'")
        return torch.device("mps"), f"{why}Apple GPU (MPS)"
    if name == "cpu":
        return torch.device("cpu"), f"{why}CPU"
    raise ValueError(f"unknown device {name!r}; choose one of auto, cpu, cuda, mps")


def available_cores() -> int:
    """CPU cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS/Windows
        return max(1, os.cpu_count() or 1)


def cpu_threads(concurrent: int = 1, cap: int = 8, spare: int = 1) -> int:
    """Intra-op threads per training: ``spare`` cores left for everything else, the rest shared by ``concurrent`` runs.

    Why a spare core by default: a small MLP step is a few ms of many short parallel regions, and OpenMP threads
    spin-wait between them. When another process (or the web server) wants a core, a spinning thread
    holds it and two-thread steps become many times slower; on 2 cores one thread is both faster on a
    busy machine and keeps the page responsive. A training at a lower priority than the server (the page's
    worker process) needs no spare core: the kernel takes one back whenever the server wants it. Above ~8
    threads batch-64 steps gain nothing.
    """
    return max(1, min(cap, (available_cores() - spare) // max(1, concurrent)))
