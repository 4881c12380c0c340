"""Charts users found misleading or unreadable (issue 13), each checked on the spec the page draws."""

import base64
import re
import io

import numpy as np
import pandas as pd
from PIL import Image

from core.engine.activations import LEAKY_SLOPE
from core.engine.surfaces import get_surface
from core.lessons.activations.boundaries import Boundary
from core.lessons.activations.curves import activation_curves, read_off
from core.lessons.activations.dying_relu import DyingRun
from core.lessons.activations.gradient_flow import LayerFlow
from core.lessons.optimizers.step_anatomy import anatomy
from core.lessons.optimizers.trajectories import RunSpec
from ui.activations.charts import PICTURE_LEAKY_SLOPE, boundary_chart, dead_units_chart, dying_charts, function_panel
from ui.charts.builders import field_frame, points_frame
from ui.fashion.charts import training_curves
from ui.home.charts import neuron_spec
from ui.optimizers.charts import NOTE_CHARS, arrows_spec, curves_spec


def _marks(spec: dict) -> list[str]:
    """Mark types of every layer (nested layers included)."""
    out = []
    for layer in spec.get("layer", [spec]):
        if "layer" in layer:
            out += _marks(layer)
        elif "mark" in layer:
            mark = layer["mark"]
            out.append(mark if isinstance(mark, str) else mark["type"])
    return out


def _subtitle(spec: dict) -> str:
    sub = spec.get("title", {}).get("subtitle", "") if isinstance(spec.get("title"), dict) else ""
    return " ".join(sub) if isinstance(sub, list) else sub


# --- f and f′ panels ------------------------------------------------------------------------------------
def test_function_panels_get_their_height_for_the_plot_and_no_labels_on_the_curves():
    (curve,) = activation_curves(["sigmoid"], 6.0)
    spec = function_panel(curve, 1.0, read_off("sigmoid", 1.0))
    assert spec["height"] >= 280 and spec["autosize"]["type"] == "fit-x"  # the height is the plot's, not the box's
    assert "text" not in _marks(spec)  # no value labels among the curves (they collided with them)
    assert "f = 0.731" in _subtitle(spec) and "f′ = 0.197" in _subtitle(spec)


def test_leaky_relu_is_drawn_with_the_lectures_visible_slope_and_says_so():
    (curve,) = activation_curves(["leaky_relu"], 6.0)
    spec = function_panel(curve, -2.0, read_off("leaky_relu", -2.0))
    drawn = spec["datasets"]["curve"]
    f = drawn[drawn["curve"] == "f(z)"].set_index("z")["value"]
    assert PICTURE_LEAKY_SLOPE == 0.1 and f.loc[-6.0] == -0.6  # slope 0.1, not the network's 0.01
    assert f"slope {PICTURE_LEAKY_SLOPE:g}" in _subtitle(spec) and f"{LEAKY_SLOPE:g}" in _subtitle(spec)
    assert f"f = {-2 * LEAKY_SLOPE:.3f}" in _subtitle(spec)  # the read-off is the network's value
    exact = function_panel(curve, -2.0, read_off("leaky_relu", -2.0), leaky_slope=LEAKY_SLOPE)["datasets"]["curve"]
    assert exact[exact["curve"] == "f(z)"].set_index("z")["value"].loc[-6.0] == -0.06


# --- smooth probability maps ------------------------------------------------------------------------------
def _image(spec: dict, data: dict) -> Image.Image:
    (row,) = [r for rows in data for r in rows if "url" in r]
    return Image.open(io.BytesIO(base64.b64decode(row["url"].split(",", 1)[1])))


def test_the_neuron_picture_has_a_legend_for_its_point_classes():
    """The home page's points are told apart by colour and shape: a lecturer points at "the squares, class 1"."""
    import vl_convert as vlc

    xs = np.linspace(-1, 1, 20)
    home = neuron_spec(field_frame(xs, xs, np.full((20, 20), 0.5)), points_frame(np.zeros((2, 2)), np.array([0, 1])),
                       "home")
    svg = vlc.vegalite_to_svg({**home, "datasets": {k: d.to_dict("records") for k, d in home["datasets"].items()}})
    assert ">class<" in svg and ">P(class 1)<" in svg


def _axis_labels(spec: dict) -> set[str]:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg({**spec, "datasets": {k: d.to_dict("records") for k, d in spec["datasets"].items()}})
    return set(re.findall(r"<text[^>]*>([−0-9.]+)</text>", svg))


def test_the_probability_map_axes_follow_each_images_extent_from_one_template():
    """No domain is written into the template: a data set with another extent reuses it, and the axes still span
    exactly the new image (its tick labels move with it)."""
    from ui.charts.spec import _template

    def spec(lo: float, hi: float) -> dict:
        xs = np.linspace(lo, hi, 11)
        return neuron_spec(field_frame(xs, xs, np.full((11, 11), 0.5)),
                           points_frame(np.array([[lo, lo], [hi, hi]]), np.array([0, 1])), "home")

    small = spec(-1.0, 1.0)
    misses = _template.cache_info().misses
    large = spec(100.0, 200.0)
    assert _template.cache_info().misses == misses  # the same template
    assert {"100", "150", "200"} <= _axis_labels(large) and not {"90", "210"} & _axis_labels(large)
    assert {"−1.0", "1.0"} <= _axis_labels(small) and not {"100", "−1.2", "1.2"} & _axis_labels(small)  # not rounded out


def test_probability_maps_are_images_without_tiles():
    xs = np.linspace(-1, 1, 50)
    P = 1 / (1 + np.exp(-8 * np.add.outer(xs, xs)))
    home = neuron_spec(field_frame(xs, xs, P), points_frame(np.zeros((2, 2)), np.array([0, 1])), "home")
    assert "rect" not in _marks(home) and "image" in _marks(home)
    image = _image(home, [d.to_dict("records") for d in home["datasets"].values()])
    assert image.size == (50, 50)
    b = Boundary("tanh", 2, xs, xs, P, 1.0, 1.0, 0.01, 10)
    spec = boundary_chart(b, np.zeros((3, 2)), np.zeros(3), np.zeros((2, 2)), np.zeros(2))
    assert "rect" not in _marks(spec) and "image" in _marks(spec)
    field = spec["datasets"]["field"].to_dict("records")
    img = np.asarray(_image(spec, [field]), dtype=float)
    assert img.shape == (50, 50, 3)  # one pixel per grid point, the top row is the largest y
    image_marks = [l["mark"] for l in spec["layer"][0]["layer"] if l["mark"]["type"] == "image"]
    assert image_marks and all(m.get("smooth", True) for m in image_marks)  # the browser blends between pixels


# --- Fashion-MNIST live chart ------------------------------------------------------------------------------
def _batches(losses):
    n = len(losses)
    return {"epoch": list(np.linspace(0.01, 1, n)), "loss": losses, "accuracy": [0.5] * n,
            "smooth_loss": list(np.convolve(losses, np.ones(3) / 3, mode="same")), "smooth_accuracy": [0.5] * n}


def test_live_curves_use_the_lectures_unit_axis_and_a_legend_that_tells_validation_apart():
    losses = [2.4, 2.2, 1.6, 1.0, 0.8, 0.6, 0.55, 0.5, 0.5, 0.45]
    spec = training_curves(_batches(losses), [{"epoch": 1, "val_loss": 0.5, "val_accuracy": 0.82}], n_epochs=5)
    layers = [l for l in spec["layer"] if "encoding" in l and "y" in l["encoding"]]
    assert all(l["encoding"]["y"]["scale"]["domain"] == [0, 1.0] for l in layers)
    dash = layers[0]["encoding"]["strokeDash"]
    assert dash["scale"]["domain"] == ["train loss", "train accuracy", "val loss", "val accuracy"]
    solid, dashed = dash["scale"]["range"][0], dash["scale"]["range"][2]
    assert solid != dashed and dash["legend"] == layers[0]["encoding"]["color"]["legend"]  # one legend, both channels
    high = training_curves(_batches(losses), [{"epoch": 1, "val_loss": 1.4, "val_accuracy": 0.5}], n_epochs=5)
    assert [l for l in high["layer"] if "y" in l.get("encoding", {})][0]["encoding"]["y"]["scale"]["domain"] == [0, 1.4]


# --- coincident series ---------------------------------------------------------------------------------------
def test_identical_dying_relu_runs_are_drawn_apart_and_noted():
    same = dict(inactive=np.array([0.0, 0.1, 0.1]), losses=np.array([0.7, 0.6]), accuracy=0.9, status="completed")
    inactive, loss = dying_charts([DyingRun("relu", **same), DyingRun("leaky_relu", **same)])
    for spec in (inactive, loss):
        assert "relu and leaky_relu coincide" in _subtitle(spec)
        dashes = spec["encoding"]["strokeDash"]["scale"]
        assert dashes["domain"] == ["relu", "leaky_relu"] and dashes["range"][0] != dashes["range"][1]
    apart = dying_charts([DyingRun("relu", **same), DyingRun("leaky_relu", **{**same, "losses": np.array([0.7, 0.5])})])
    assert "coincide" in _subtitle(apart[0]) and "coincide" not in _subtitle(apart[1])


def test_identical_optimizer_curves_are_dashed_apart_and_noted():
    steps = np.arange(4)
    df = pd.concat([pd.DataFrame({"run": r, "step": steps, "loss": [1.0, 0.5, 0.3, 0.2708]})
                    for r in ("sgd", "momentum", "nesterov")] +
                   [pd.DataFrame({"run": "adam", "step": steps, "loss": [1.0, 0.4, 0.2, 0.1]})])
    names = ["sgd", "momentum", "nesterov", "adam"]
    spec = curves_spec(df, "loss", "training loss", names, names, title="Training loss")
    dashes = spec["layer"][0]["encoding"]["strokeDash"]["scale"]["range"]
    assert len({str(d) for d in dashes[:3]}) == 3  # three identical curves, three dash patterns
    assert "sgd = momentum = nesterov" in _subtitle(spec) and "adam" not in _subtitle(spec)
    assert all(len(line) <= NOTE_CHARS for line in spec["title"]["subtitle"])  # cut off at 1280 px when one line


def test_dead_units_chart_leaves_out_activations_without_dead_units_and_says_why():
    def flow(name, dead):
        return LayerFlow(name, np.ones(3), np.array(dead), np.ones(2), 0.1)

    spec = dead_units_chart([flow("sigmoid", [0.0, 0.0]), flow("tanh", [0.0, 0.0]), flow("relu", [0.1, 0.3])])
    assert spec["encoding"]["color"]["scale"]["domain"] == ["relu"]  # the legend lists what has bars
    assert _subtitle(spec) == "no dead units: sigmoid, tanh"
    assert {"filter": "(datum['dead fraction'] > 0)"} in spec["transform"]


# --- momentum arrows --------------------------------------------------------------------------------------------
def test_momentum_arrows_are_drawn_tip_to_tail():
    surface = get_surface("rosenbrock")
    an = anatomy(surface, RunSpec.make("momentum", "momentum", lr=0.001, momentum=0.9), (-1.0, 1.5), 20)
    arrows = an.arrows(5)
    df = pd.DataFrame({"what": [a[0] for a in arrows], "x": [a[1][0] for a in arrows], "y": [a[1][1] for a in arrows],
                       "x2": [a[2][0] for a in arrows], "y2": [a[2][1] for a in arrows]})
    spec = arrows_spec("data:,", ((-2, 2), (-2, 2)), df, pd.DataFrame({"step": [0], "x": [0.0], "y": [0.0]}))
    drawn = spec["datasets"]["arrows"].set_index("what")
    mom, grad, actual = (drawn.loc[k] for k in ("momentum step γv", "gradient step −η∇L(w)", "actual step"))
    assert np.allclose([grad.x, grad.y], [mom.x2, mom.y2])  # the gradient step starts at the momentum step's tip
    assert np.allclose([grad.x2, grad.y2], [actual.x2, actual.y2])  # and ends where the actual step ends
    assert np.allclose([mom.x, mom.y], [actual.x, actual.y])
