"""Presets that tell a story, one sentence each; each opens at a step count where the story is visible."""

from __future__ import annotations

from dataclasses import dataclass

from core.lessons.playground.session import PlayConfig

ALL_FEATURES = ("x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin x₁", "sin x₂")


@dataclass(frozen=True)
class Preset:
    """A named set-up, the sentence a lecturer says about it, and the step it opens at."""

    title: str
    story: str
    config: PlayConfig
    steps: int


PRESETS: dict[str, Preset] = {
    "moons_relu": Preset(
        "Moons: ReLU", "ReLU units cut the plane with straight creases, so the boundary around the moons is a polygon.",
        PlayConfig(dataset="moons", noise=0.1, hidden=(8, 8), activation="relu", init="he_normal", lr=0.03), 1500),
    "moons_tanh": Preset(
        "Moons: tanh", "tanh units bend smoothly, so the same network draws a smooth curve around the moons.",
        PlayConfig(dataset="moons", noise=0.1, hidden=(8, 8), activation="tanh", lr=0.03), 1500),
    "xor_linear": Preset(
        "XOR, no hidden layer", "Without a hidden layer the output is one straight cut: no line separates XOR's corners.",
        PlayConfig(dataset="xor", hidden=(), activation="tanh", lr=0.03), 1500),
    "xor_product": Preset(
        "XOR with x₁x₂", "Give the same single neuron the feature x₁x₂ and XOR becomes linear: its sign is the class.",
        PlayConfig(dataset="xor", hidden=(), features=("x₁", "x₂", "x₁x₂"), lr=0.03), 1500),
    "xor_hidden": Preset(
        "XOR, one hidden layer", "Or keep x₁, x₂ and add a hidden layer: each unit learns one cut, the output combines them.",
        PlayConfig(dataset="xor", hidden=(8,), activation="tanh", lr=0.03), 1500),
    "spiral_shallow": Preset(
        "Spiral, shallow", "One small layer on x₁, x₂ cannot wind around the spiral.",
        PlayConfig(dataset="spiral", hidden=(4,), activation="tanh", lr=0.03), 3000),
    "spiral_deep": Preset(
        "Spiral, deep + sin", "Depth and sin features let the network follow the arms: each layer bends the last one's map.",
        PlayConfig(dataset="spiral", hidden=(8, 8, 6), activation="tanh", features=("x₁", "x₂", "sin x₁", "sin x₂"),
                   optimizer="adam", lr=0.01), 3000),
    "l1_prunes": Preset(
        "L1 prunes inputs", "With every feature on, L1 drives the weights of the useless ones to zero and keeps x₁², x₂².",
        PlayConfig(dataset="circle", hidden=(), features=ALL_FEATURES, regularizer="L1", reg_rate=0.03, lr=0.03), 2000),
    "lr_diverges": Preset(
        "Too high a learning rate", "At η = 3 every step overshoots the valley by more than the last: the loss explodes.",
        PlayConfig(problem="regression", dataset="plane", loss="mse", hidden=(4, 2), activation="tanh", lr=3.0), 300),
}
