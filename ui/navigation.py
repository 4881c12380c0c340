"""The app's page table, in lecture order: used by app.py for navigation and by the home page's map."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageInfo:
    """One page: its lecture section, script, title, icon, URL path and the lecture topics it covers."""

    section: str
    file: str
    title: str
    icon: str
    url_path: str
    topics: str

    @property
    def exists(self) -> bool:
        return (ROOT / self.file).exists()


PAGES = [
    PageInfo("", "app_pages/home.py", "Home", ":material/home:", "", "Architecture: logistic regression as one neuron"),
    PageInfo("Lecture", "app_pages/lecture.py", "Lecture mode", ":material/co_present:", "lecture", "The lecture's figures live, one projector screen each, in slide order; → / ← / PageDown / space step through"),
    PageInfo("Foundations", "app_pages/backprop.py", "Backpropagation walk-through", ":material/account_tree:", "backprop",
             "Basic architecture, more layers, forward pass as tensor operations, backward pass, computational graph"),
    PageInfo("Foundations", "app_pages/activations.py", "Activations & gradients", ":material/show_chart:", "activations",
             "Activation functions for hidden and output layers, vanishing gradients, dying ReLU, ReLU vs tanh"),
    PageInfo("Foundations", "app_pages/playground.py", "Playground", ":material/toys:", "playground",
             "Why layers: every unit's output over the plane while a network trains live (TensorFlow Playground)"),
    PageInfo("Training", "app_pages/initialization.py", "Weight initialization", ":material/casino:", "initialization",
             "Zeros vs small vs large random weights, Glorot/Xavier, He, symmetry, transfer learning"),
    PageInfo("Training", "app_pages/optimizers.py", "Optimizer zoo", ":material/landscape:", "optimizers",
             "SGD, learning-rate schedules, momentum, Nesterov, Adagrad, RMSprop, Adam, Adamax"),
    PageInfo("In practice", "app_pages/model_selection.py", "Model selection & regularization", ":material/tune:", "model-selection", "Early stopping, capacity and memorization, information bottleneck, L1/L2, dropout, batch norm"),
    PageInfo("In practice", "app_pages/fashion_mnist.py", "Fashion-MNIST trainer", ":material/checkroom:", "fashion-mnist",
             "PyTorch training loop, GPU, model summary, early stopping, L1/L2, dropout, batch norm"),
]


@functools.cache
def _existing() -> tuple[PageInfo, ...]:
    return tuple(p for p in PAGES if p.exists)


def existing_pages() -> list[PageInfo]:
    """Only pages whose script exists: the app never lists a placeholder (looked up once per process: every run of
    app.py asks, and a deployment's files change only with a restart)."""
    return list(_existing())
