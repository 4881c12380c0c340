"""The optimizer zoo's contestants (slots) and named races (presets), as plain data.

A slot is a named contestant: an optimizer from ``core.engine.optim`` with its default
hyper-parameters and learning-rate schedule. The lecture's eight are the first eight slots,
with the lecture's settings as defaults (figures #13–18), so the default race is the lecture's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.engine.optim import OPTIMIZERS
from core.engine.schedules import SCHEDULES
from core.lessons.optimizers.trajectories import DEFAULT_PRECISION, RunSpec


@dataclass(frozen=True)
class Slot:
    """A contestant: display name, optimizer, default hyper-parameters and schedule."""

    name: str
    optimizer: str
    hyper: dict[str, Any]
    schedule: str = "constant"
    schedule_kw: dict[str, Any] = field(default_factory=dict)
    blurb: str = ""

    def spec(self, **overrides: Any) -> RunSpec:
        """RunSpec with this slot's defaults, overridden by ``overrides`` (schedule/schedule_kw/hyper)."""
        hyper = {**self.hyper, **{k: v for k, v in overrides.items() if k not in ("schedule", "schedule_kw")}}
        schedule = overrides.get("schedule", self.schedule)
        kw = overrides.get("schedule_kw", self.schedule_kw if schedule == self.schedule else {})
        return RunSpec.make(self.name, self.optimizer, schedule, kw, **hyper)


SLOTS: dict[str, Slot] = {
    s.name: s
    for s in (
        Slot("sgd", "sgd", {"lr": 0.01}, blurb="plain gradient descent"),
        Slot("sgd_decay", "sgd", {"lr": 0.02}, "keras_exponential", {"decay_rate": 0.96, "decay_steps": 100},
             blurb="SGD whose rate decays ×0.96 every 100 steps"),
        Slot("momentum", "momentum", {"lr": 0.005, "momentum": 0.9}, blurb="heavy-ball momentum"),
        Slot("nesterov", "nesterov", {"lr": 0.005, "momentum": 0.9}, blurb="Nesterov momentum"),
        Slot("adagrad", "adagrad", {"lr": 0.4}, blurb="per-coordinate rate from the sum of squared gradients"),
        Slot("rmsprop", "rmsprop", {"lr": 0.1}, blurb="per-coordinate rate from a moving average of squared gradients"),
        Slot("adam", "adam", {"lr": 0.2, "betas": (0.9, 0.999), "eps": 1e-8}, blurb="RMSprop + momentum, bias-corrected"),
        Slot("sgd_cyclic", "sgd", {"lr": 1e-4}, "cyclical", {"max_lr": 0.1, "step_size": 100},
             blurb="SGD with a triangular cyclical rate 1e-4 → 0.1"),
        Slot("adamax", "adamax", {"lr": 0.2}, blurb="Adam with a max-norm second moment"),
        Slot("nadam", "nadam", {"lr": 0.1}, blurb="Adam with a Nesterov look-ahead"),
        Slot("adamw", "adamw", {"lr": 0.2, "weight_decay": 0.01}, blurb="Adam with decoupled weight decay"),
    )
}

LECTURE_SLOTS = ("sgd", "sgd_decay", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "sgd_cyclic")


@dataclass(frozen=True)
class Preset:
    """A named race: surface, start, steps, contestants and their overrides of the slot defaults."""

    title: str
    surface: str
    start: tuple[float, float]
    steps: int
    slots: tuple[str, ...]
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    condition: float = 10.0  # only used by the quadratic bowl
    note: str = ""
    precision: str = DEFAULT_PRECISION

    def specs(self) -> list[RunSpec]:
        """The contestants as RunSpecs."""
        return [SLOTS[name].spec(**self.overrides.get(name, {})) for name in self.slots]

    def matches(self, surface: str, condition: float, start: Sequence[float], steps: int,
                specs: Sequence[RunSpec]) -> bool:
        """Whether a race (as the page's controls describe it) is this preset's race, in either precision."""
        return (
            (surface, steps) == (self.surface, self.steps)
            and (surface != "quadratic" or float(condition) == float(self.condition))
            and tuple(map(float, start)) == tuple(map(float, self.start))
            and [_full(s) for s in specs] == [_full(s) for s in self.specs()]
        )


def _full(spec: RunSpec) -> tuple:
    """A spec with every default spelled out: specs that run the same race compare equal."""
    hyper = {**OPTIMIZERS[spec.optimizer].defaults, **dict(spec.hyper)}
    hyper = {k: tuple(map(float, v)) if isinstance(v, (tuple, list)) else v for k, v in hyper.items()}
    kw = {**SCHEDULES[spec.schedule].defaults, **dict(spec.schedule_kw)}
    return spec.name, spec.optimizer, sorted(hyper.items()), spec.schedule, sorted(kw.items())


PRESETS: dict[str, Preset] = {
    "lecture": Preset(
        "The lecture's race", "beale", (0.8, 1.6), 100, LECTURE_SLOTS,
        note=r"The lecture's eight optimizers on Beale's function, 100 steps from (0.8, 1.6), in float32 as torch "
             r"computes by default. `sgd_cyclic`'s rate climbs from $10^{-4}$ towards 0.1 (reached at step 100). "
             r"Near the minimum the steepest curvature is $\lambda_{\max} \approx 49$: once "
             r"$\eta > 2/\lambda_{\max} \approx 0.041$, every step multiplies any error along that direction by "
             r"$|1 - \eta\lambda_{\max}| > 1$. The error starts as round-off, about $10^{-7}$ in float32; it grows "
             r"to the size of the valley and the run blows up around step 90. In float64 (round-off $10^{-16}$) the "
             r"same run lasts until step 110.",
    ),
    "valley": Preset(
        "Momentum vs Nesterov in a narrow valley", "rosenbrock", (-1.0, -0.5), 300, ("sgd", "momentum", "nesterov"),
        {"sgd": {"lr": 2e-4}, "momentum": {"lr": 2e-4}, "nesterov": {"lr": 2e-4}},
        note=r"Same $\eta = 2\cdot 10^{-4}$ and $\gamma = 0.9$. Momentum overshoots the minimum at (1, 1) and swings "
             r"back and forth (its loss goes up and down); Nesterov's look-ahead gradient brakes earlier, so it "
             r"wobbles less and ends lower. Plain SGD stalls on the flat valley floor.",
    ),
    "bowl": Preset(
        "Adaptive methods on an ill-conditioned bowl", "quadratic", (-3.5, 1.5), 100,
        ("sgd", "momentum", "adagrad", "rmsprop", "adam"),
        {"sgd": {"lr": 0.03}, "momentum": {"lr": 0.01}, "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.05},
         "adam": {"lr": 0.1}},
        condition=50.0,
        note=r"Curvature 50× larger along $y$ than along $x$ ($\kappa = 50$): SGD must keep $\eta < 2/\kappa = 0.04$ "
             r"to stay stable across the bowl, and with that rate it crawls along $x$. Momentum builds up speed along "
             r"$x$ but swings across $y$; per-coordinate rates (Adagrad, RMSprop, Adam) take similar steps in both.",
    ),
    "saddle": Preset(
        "A saddle point", "saddle", (-1.8, 0.001), 100,
        ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"),
        {"sgd": {"lr": 0.05}, "momentum": {"lr": 0.05}, "nesterov": {"lr": 0.05}, "adagrad": {"lr": 0.1},
         "rmsprop": {"lr": 0.02}, "adam": {"lr": 0.05}},
        note=r"Starting almost on the ridge $y = 0$: the gradient along $y$ is tiny, so plain SGD slides into the "
             r"saddle at (0, 0) and lingers there. Momentum and Nesterov pick up the small push along $y$ and roll "
             r"off; Adagrad, RMSprop and Adam divide each coordinate by its own gradient size, so even the tiny "
             r"$y$-gradient gets a full-size step and they leave at once.",
    ),
    "too_high": Preset(
        "Too high a learning rate", "beale", (0.8, 1.6), 150, ("sgd", "momentum", "rmsprop", "adam", "sgd_cyclic"),
        {"sgd": {"lr": 0.05}, "momentum": {"lr": 0.02}, "rmsprop": {"lr": 0.5}, "adam": {"lr": 1.0}},
        note=r"SGD ($\eta = 0.05$) and momentum blow up within a few steps; `sgd_cyclic`'s rising rate passes the "
             r"stability limit $2/\lambda_{\max}$ and it blows up around step 90. Adam's steps are at most about "
             r"$\eta$ long, so even $\eta = 1$ stays on the surface. RMSprop's average of squared gradients starts "
             r"at zero and takes in only 1% of $g^2$ per step ($\alpha = 0.99$), so its first step is $10\eta$ per "
             r"coordinate: it leaps onto a steep slope, and that huge gradient keeps its rate tiny for a hundred steps.",
    ),
}
