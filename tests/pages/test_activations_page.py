"""The "Activations & gradients" page in AppTest: sections, charts, every control, links, bad links."""

import json

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT
from core.lessons.activations.boundaries import fit_boundary
from core.engine.initializers import INITIALIZERS
from core.lessons.activations.output_layer import output_view

PAGE = str(ROOT / "app_pages/activations.py")
SECTIONS = ["1. Function and derivative", "2. Vanishing and exploding gradients", "3. Dying ReLU",
            "4. ReLU vs tanh decision boundaries", "5. Output activations"]


def _page(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _charts(at: AppTest) -> list[tuple[dict, dict]]:
    """Every chart as (spec, {data set name: DataFrame})."""
    out = []
    for chart in at.get("vega_lite_chart"):
        proto = chart.proto
        data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in proto.datasets}
        out.append((json.loads(proto.spec), data))
    return out


def _data(at: AppTest, name: str) -> list:
    """The named data set of every chart that has one (as records, for comparison)."""
    return [data[name].to_dict("records") for _, data in _charts(at) if name in data]


def _title(spec: dict) -> str:
    title = spec.get("title", "")
    return title.get("text", "") if isinstance(title, dict) else title


def test_page_renders_every_section_with_its_charts():
    at = _page()
    assert [h.value for h in at.header] == SECTIONS
    charts = _charts(at)
    names = [set(data) for _, data in charts]
    assert names.count({"curve", "bands", "probe"}) == 4  # sigmoid, tanh, relu, leaky_relu panels
    for required in ({"flows"}, {"dead"}, {"inactive"}, {"loss"}, {"field", "train", "test"}, {"bars"}):
        assert required in names
    assert [_title(s) for s, d in charts if "curve" in d] == ["sigmoid", "tanh", "relu", "leaky_relu"]
    assert all(len(df) for _, data in charts for name, df in data.items() if name not in ("bands", "probe"))
    assert len(at.warning) == 0
    assert len(at.latex) >= 12  # formulas from the registries: f and f′ per panel, initializer, outputs


def test_both_boundaries_reach_the_lectures_accuracy_at_two_layers():
    titles = [_title(s) for s, d in _charts(_page()) if "field" in d]
    assert len(titles) == 2 and titles[0].startswith("relu") and titles[1].startswith("tanh")
    for title in titles:
        accuracy = float(title.split("test accuracy ")[1].split(",")[0])
        assert accuracy >= 0.84


CONTROLS = [  # (widget kind, key, new value, data set that must change)
    ("slider", "zr", 3.0, "curve"),
    ("slider", "z0", -2.5, "probe"),
    ("slider", "sat", 0.3, "bands"),
    ("multiselect", "acts", ["elu", "gelu"], "curve"),
    ("slider", "depth", 20, "flows"),
    ("select_slider", "width", 16, "flows"),
    ("selectbox", "init", "glorot_normal", "flows"),
    ("multiselect", "flow", ["relu", "leaky_relu"], "dead"),
    ("selectbox", "dopt", "sgd", "inactive"),
    ("select_slider", "dlr", 0.3, "loss"),
    ("slider", "shift", -1.0, "inactive"),
    ("slider", "steps", 100, "loss"),
    ("slider", "n", 3, "field"),
    ("slider", "seed", 4, "field"),
    ("slider", "temp", 2.5, "bars"),
    ("slider", "alpha", 0.3, "bars"),
    ("radio", "out", "sigmoid", "bars"),
    ("text_input", "logits", "0.5, -1, 3, 2", "bars"),
    ("selectbox", "cls", 2, "bars"),
]


@pytest.mark.parametrize("kind, key, value, data", CONTROLS, ids=[c[1] for c in CONTROLS])
def test_every_control_rerenders_its_chart(kind, key, value, data):
    at = _page()
    before = _data(at, data)
    getattr(at, kind)(key=key).set_value(value)
    at.run()
    assert not at.exception
    assert getattr(at, kind)(key=key).value == value
    after = _data(at, data)
    assert after and after != before


def test_a_link_restores_the_view():
    params = {"acts": ["elu"], "zr": "3.5", "depth": "12", "init": "glorot_uniform", "flow": ["relu", "elu"],
              "n": "3", "out": "sigmoid", "logits": "1, 2, 3, 4", "cls": "3", "temp": "2.0", "alpha": "0.2"}
    at = _page(params)
    assert len(at.warning) == 0
    assert at.multiselect(key="acts").value == ["elu"] and at.slider(key="zr").value == 3.5
    charts = _charts(at)
    (curve,) = [d["curve"] for s, d in charts if "curve" in d]
    assert curve["z"].min() == -3.5 and curve["z"].max() == 3.5
    (flows,) = [d["flows"] for s, d in charts if "flows" in d]
    assert set(flows["activation"]) == {"relu", "elu"} and flows["layer"].max() == 13
    assert any(INITIALIZERS["glorot_uniform"].latex in l.value for l in at.latex)
    expected = fit_boundary("tanh", 3)
    assert any(_title(s).startswith(f"tanh: test accuracy {expected.test_accuracy:.2f}") for s, d in charts if "field" in d)
    view = output_view([1, 2, 3, 4], "sigmoid", 3, 2.0, 0.2)
    assert at.metric[-1].value == f"{view.loss:.4f}"
    assert at.selectbox(key="cls").value == 3 and at.radio(key="out").value == "sigmoid"


def test_bad_link_values_show_a_notice_and_the_page_keeps_working():
    at = _page({"depth": "banana", "out": "tanh", "logits": "one, two"})
    assert len(at.warning) == 3
    assert at.slider(key="depth").value == 10
    assert at.radio(key="out").value == "softmax"
    assert any("logits" in w.value for w in at.warning)
    assert len(at.get("vega_lite_chart")) == 11
