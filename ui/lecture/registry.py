"""The lecture's scenes in slide order (figures.md #1–#23) with the app's extras between them.

A scene is the slide's title, one live figure drawn by a function of ``ui.lecture.scenes`` (which calls the
page's own lesson code and chart builders), at most three controls, one or two sentences, the page that
shows it in full, and optionally a question the audience answers before the figure appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from ui.lecture.controls import Draw
from ui.lecture.scenes import activations as act
from ui.lecture.scenes import fashion as fm
from ui.lecture.scenes import foundations as fnd
from ui.lecture.scenes import initialization as ini
from ui.lecture.scenes import model_selection as ms
from ui.lecture.scenes import optimizers as opt
from ui.lecture.scenes import playground as pg
from ui.lecture.scenes.initialization import SYMMETRY_ANSWERS


@dataclass(frozen=True)
class Question:
    """Asked before the figure is shown: the prompt and the answers to choose from (buttons)."""

    prompt: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Scene:
    """One projector screen: slide title, figure, sentences, full page (url path) and an optional question."""

    id: str
    slide: str  # the figure's number in figures.md ("#16"), or "extra" for the app's own additions
    title: str
    text: str
    page: str
    draw: Draw
    question: Question | None = None

    def page_url(self, params: dict[str, list[str]]) -> str:
        """The full page's address that shows this view (as far as the page has the same controls)."""
        query = urlencode([(k, v) for k, values in params.items() for v in values])
        return f"/{self.page}" + (f"?{query}" if query else "")


SCENE_LIST: tuple[Scene, ...] = (
    Scene("neuron", "#1", "One neuron: logistic regression",
          "A neuron multiplies each input by a weight, adds a bias and squashes the sum with the sigmoid into "
          "a probability ŷ. The weights turn the boundary ŷ = 0.5, the bias shifts it.", "", fnd.neuron),
    Scene("layers", "#2–3", "More layers",
          "Every unit is wired to every unit of the next layer: one weight per pair of units in neighbouring layers, "
          "one bias per unit.",
          "backprop", fnd.architecture),
    Scene("why-layers", "extra", "Why layers?",
          "Each hidden unit draws one simple pattern over the input plane (blue < 0 < vermillion); the next layer "
          "combines them into more complex ones.", "playground", pg.why_layers),
    Scene("minibatch", "#4", "Mini-batch SGD",
          "Each sample of the batch gives its own gradient; one update uses their mean (or their sum, which is "
          "the same step with η times the batch size).", "backprop", fnd.minibatch),
    Scene("walkthrough", "#5–7", "Backpropagation, step by step",
          "Forward: each unit's z and a. Backward: ∂L/∂w = ∂L/∂a · ∂a/∂z · ∂z/∂w, from the output back to the "
          "input. Then one step w ← w − η ∂L/∂w.", "backprop", fnd.walk),
    Scene("activation", "#8–9", "Activation functions and their gradient",
          "f′(z) is a factor in every gradient that passes the unit: where it is close to zero (grey) the unit "
          "is saturated and learns slowly.", "activations", act.function),
    Scene("gradient-flow", "extra", "Vanishing gradients",
          "One forward and backward pass through a deep MLP: with sigmoid the early layers get almost no "
          "gradient, with ReLU it arrives.", "activations", act.flow),
    Scene("dying-relu", "extra", "Dying ReLU",
          "A ReLU unit whose z is negative for every input outputs 0 and gets no gradient, so it stays off; "
          "leaky ReLU keeps a slope of 0.01 and can come back.", "activations", act.dying),
    Scene("relu-tanh", "#10", "ReLU vs tanh",
          "Both nets see the lecture's 75 training moons and are scored on the 25 held-out ones (black rings).",
          "activations", act.boundaries,
          Question("Which activation draws the smoother decision boundary?", ("ReLU", "tanh", "no difference"))),
    Scene("output", "#11", "Activation functions for the output layer",
          "Sigmoid gives every output its own probability, softmax makes the outputs share one, regression "
          "uses none. Temperature flattens, label smoothing softens the target.", "activations", act.output),
    Scene("init-signal", "#12", "Weight initialization",
          "One batch goes through 256-unit layers: He's σ = √(2/fan_in) keeps ReLU's signal flat, too small "
          "weights let it vanish, too large ones let it explode.", "initialization", ini.signal),
    Scene("symmetry", "extra", "Why not start from zero?",
          "If all weights of a layer start equal, its units compute the same, get the same gradient and take "
          "the same step.", "initialization", ini.symmetry,
          Question("What happens if every weight starts at zero?", SYMMETRY_ANSWERS)),
    Scene("init-race", "extra", "Initialization race",
          "The same net, data, seed and optimizer; only the initial weights differ.", "initialization", ini.race),
    Scene("sgd", "#13", "Learning rate",
          "Plain gradient descent on Beale's surface from (0.8, 1.6): too small a rate crawls, too large a one "
          "overshoots.", "optimizers", opt.sgd),
    Scene("schedules", "#14", "Learning-rate schedules",
          "Exponential decay shrinks η as training goes on; a cyclical rate sweeps it up and down.",
          "optimizers", opt.schedules),
    Scene("momentum-step", "#15", "Momentum",
          "The step is the momentum step γv plus the gradient step; Nesterov takes the gradient at the "
          "look-ahead point.", "optimizers", opt.step),
    Scene("momentum", "#16", "Momentum in practice",
          "Momentum remembers earlier steps, so it rolls faster along the valley (and overshoots); Nesterov "
          "brakes earlier.", "optimizers", opt.momentum),
    Scene("adaptive", "#17", "Adaptive gradients: Adagrad, RMSprop, Adam",
          "Every coordinate gets its own learning rate from the size of its past gradients.",
          "optimizers", opt.adaptive),
    Scene("zoo", "#18", "The optimizer zoo",
          "All eight of the lecture's optimizers with the lecture's settings, from the same start.",
          "optimizers", opt.zoo,
          Question("Which optimizer reaches the minimum first?", tuple(opt.LECTURE_SLOTS))),
    Scene("lr-sweep", "extra", "Learning-rate sweep",
          "Each optimizer re-run with 41 learning rates: too low barely moves, a good one reaches the minimum, "
          "too high diverges.", "optimizers", opt.lr_sweep),
    Scene("fashion", "#19", "In practice: Fashion-MNIST",
          "70,000 grey 28 × 28 images of clothing in 10 classes: the lecture's running example for training "
          "networks in PyTorch.", "fashion-mnist", fm.images),
    Scene("compgraph", "#20", "Computational graph",
          "PyTorch records every operation of the forward pass; loss.backward() walks the graph back from the "
          "loss and leaves ∂L/∂node in every node.", "backprop", fnd.compgraph),
    Scene("model-selection", "#21", "Model selection",
          "Track the loss on a validation set after every epoch: the best model comes after a few epochs, "
          "then the network starts to overfit.", "fashion-mnist",
          fm.model_selection),
    Scene("early-stopping", "extra", "Early stopping",
          "Stop when the validation loss has not improved for k epochs (the patience) and restore the best "
          "epoch's weights.", "model-selection", ms.early_stopping),
    Scene("capacity", "extra", "Capacity: underfitting and overfitting",
          "Too few parameters underfit; more fit the training set ever better, while validation accuracy levels "
          "off or falls.", "model-selection", ms.capacity),
    Scene("memorization", "extra", "Memorization capacity",
          "With shuffled labels the pixels say nothing about the class, yet a wide network reaches 100 % "
          "training accuracy: it memorizes, and stays at chance on new images.", "model-selection", ms.memorize),
    Scene("l1-l2", "extra", "L1 vs L2 regularization",
          "L1 pushes every weight towards 0 by the same amount: many weights end near 0 (sparse). L2 shrinks "
          "each in proportion to its size: many small weights.", "model-selection", ms.penalties),
    Scene("l1-prunes", "extra", "L1 prunes useless inputs",
          "One unit fed all seven features of the circle data: with L1 the weights of the features it does not "
          "need go to zero, and x₁², x₂² remain.", "playground", pg.l1_prunes),
    Scene("dropout", "#22", "Dropout",
          "Every iteration each hidden unit is dropped (set to 0) with probability p, so no unit can rely on "
          "another; at test time nothing is dropped.", "model-selection", ms.dropout),
    Scene("dropout-helps", "extra", "Dropout against overfitting",
          "The early-stopping network, trained for 40 epochs on digits with 20 % noisy labels, without and with "
          "dropout.", "model-selection", ms.dropout_helps,
          Question("Does dropout help here?", ms.DROPOUT_ANSWERS)),
    Scene("batch-norm", "extra", "Batch normalization",
          "Batch norm normalizes each unit's input within the minibatch; a deep sigmoid network whose gradients "
          "vanish trains again.", "model-selection", ms.batchnorm),
    Scene("new-model", "#23", "New model: batch norm + dropout",
          "The lecture's 'New model' 784-265-64-32-10 with batch norm and dropout 0.5 after each hidden layer, "
          "replayed; switch runs to compare.", "fashion-mnist", fm.new_model),
    Scene("confusion", "extra", "Confusion matrix",
          "Rows: the true class; columns: what the network said. Off the diagonal: its mistakes.",
          "fashion-mnist", fm.confusion),
)

SCENES: dict[str, Scene] = {s.id: s for s in SCENE_LIST}
assert len(SCENES) == len(SCENE_LIST), "scene ids must be unique"
