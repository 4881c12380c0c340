"""The race chart's click-to-start survives the chart style: the "pick" selection reaches Streamlit unchanged.

A click on the surface selects the nearest point of an invisible grid layer ("pick"); Streamlit's
``on_select`` finds it by name. The style (``theme.style``) only adds a config: it must leave the layers, their
params and the chart's selection alone. The browser check is tests/browser/test_optimizers.py
(``test_learning_rate_preset_and_click_reach_the_url``).
"""

import json

import numpy as np
import pandas as pd
from streamlit.elements.vega_charts import _parse_selection_mode, _stabilize_vega_json_spec

from core.engine.surfaces import get_surface
from ui.charts import theme
from ui.optimizers.charts import race_spec


def _spec(**kw):
    surface = get_surface("rosenbrock")
    paths = pd.DataFrame({"run": ["sgd"] * 3, "step": [0, 1, 2], "x": [-1.0, -0.9, -0.8], "y": [1.0, 1.1, 1.2],
                          "loss": [4.0, 3.0, 2.0]})
    return race_spec("data:,", surface, (0.0, 3.0), paths, paths.tail(1), ["sgd"], ["sgd"], (-1.0, 1.0), **kw)


def _grid_index(spec) -> int:
    return next(i for i, l in enumerate(spec["layer"]) if l.get("data", {}).get("name") == "grid")


def test_the_pick_selection_sits_on_the_grid_above_the_surface_and_streamlit_finds_it():
    spec = _spec()
    grid = spec["layer"][_grid_index(spec)]
    assert grid["params"] == [{"name": "pick", "select": {"type": "point", "on": "click", "nearest": True,
                                                          "fields": ["x", "y"], "clear": False}}]
    image = next(i for i, l in enumerate(spec["layer"]) if l["mark"]["type"] == "image")
    assert image < _grid_index(spec)  # the grid's voronoi lies over the picture
    stable = json.loads(_stabilize_vega_json_spec(json.dumps({k: v for k, v in spec.items() if k != "datasets"})))
    assert _parse_selection_mode(stable, "pick") == ["pick"]
    assert len(spec["datasets"]["grid"]) == 45 * 45


def test_the_style_only_adds_config_and_keeps_the_selection():
    plain = _spec()
    with theme.scale("lecture"):
        lecture = _spec()
    assert {k: v for k, v in plain.items() if k not in ("config", "datasets")} == \
        {k: v for k, v in lecture.items() if k not in ("config", "datasets")}
    assert plain["config"]["axis"]["labelFontSize"] == 14 and lecture["config"]["axis"]["labelFontSize"] == 20
    assert not any("params" in str(v) or "selection" in str(v) for v in plain["config"].values())


def test_without_pick_there_is_no_grid():
    spec = _spec(pickable=False)
    assert all(l.get("data", {}).get("name") != "grid" for l in spec["layer"]) and "grid" not in spec["datasets"]
    assert np.all([("params" not in l) for l in spec["layer"]])
