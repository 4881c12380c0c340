"""The model-selection page in AppTest: it runs, every control changes its own chart or table, links restore the view."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT
from tests.ui.chart_checks import dot_font_problems, dot_sources, font_problems, vega_specs
from ui.charts import theme

PAGE = str(ROOT / "app_pages/model_selection.py")
N_CHARTS, N_TABLES = 9, 3  # vega-lite charts, dataframes (penalties, weight decay, dropout expectation)
# (widget kind, key, new value, the element that must change): ("chart", i), ("table", i) or ("diagram", 0)
CONTROLS = [
    ("select_slider", "width", 32, ("chart", 0)),
    ("slider", "epochs", 20, ("chart", 0)),
    ("slider", "patience", 3, ("chart", 0)),
    ("slider", "noise", 0.3, ("chart", 0)),
    ("radio", "monitor", "validation accuracy", ("chart", 0)),
    ("slider", "smooth", 3, ("chart", 0)),
    ("radio", "show", "accuracy", ("chart", 0)),
    ("slider", "sweep_epochs", 5, ("chart", 1)),
    ("slider", "sweep_noise", 0.2, ("chart", 1)),
    ("select_slider", "mem_width", 64, ("chart", 2)),
    ("slider", "mem_n", 100, ("chart", 2)),
    ("select_slider", "first", 64, ("chart", 3)),
    ("select_slider", "lam", 1e-2, ("chart", 4)),
    ("slider", "pen_epochs", 10, ("chart", 4)),
    ("select_slider", "decay_steps", 10, ("table", 1)),
    ("selectbox", "net", "4-8-8-2", ("diagram", 0)),
    ("slider", "p", 0.3, ("diagram", 0)),
    ("slider", "it", 4, ("diagram", 0)),
    ("slider", "a", 1.5, ("table", 2)),
    ("slider", "drop_train", 0.2, ("chart", 5)),
    ("slider", "depth", 4, ("chart", 6)),
    ("select_slider", "bn_lr", 0.1, ("chart", 6)),
    ("select_slider", "bn_steps", 100, ("chart", 6)),
    ("radio", "stat", "variance", ("chart", 7)),
    ("radio", "when", "end", ("chart", 8)),
]


def _run(**params) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=600)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _views(at: AppTest) -> dict[tuple[str, int], bytes]:
    """A fingerprint of every chart, table and diagram (spec and data)."""
    out = {("chart", i): c.proto.SerializeToString() for i, c in enumerate(at.get("vega_lite_chart"))}
    out.update({("table", i): t.value.to_json().encode() for i, t in enumerate(at.dataframe)})
    out.update({("diagram", i): d.proto.SerializeToString() for i, d in enumerate(at.get("graphviz_chart"))})
    return out


@pytest.fixture(scope="module")
def page() -> AppTest:
    return _run()


def test_page_runs_with_every_section_chart_and_table(page):
    at = page
    assert at.title[0].value == "Model selection & regularization"
    assert [h.value for h in at.header] == ["1. Overfitting and early stopping", "2. Capacity and memorization",
                                            "3. L1 vs L2 regularization", "4. Dropout", "5. Batch normalization"]
    assert len(at.get("vega_lite_chart")) == N_CHARTS and len(at.dataframe) == N_TABLES
    assert len(at.get("graphviz_chart")) == 1
    assert len(at.warning) == 0
    best, stop = int(at.metric[0].value), int(at.metric[1].value)
    assert stop == best + 5  # patience 5
    assert any(r"\mathrm{sign}(w_{ij})" in l.value for l in at.latex)  # L1's gradient, from the engine's registry
    shares = at.dataframe[0].value.set_index("penalty")["|w| < 0.001"].str.rstrip("%").astype(float)
    assert shares["L1"] > 5 * shares["L2"]


def test_every_chart_and_the_diagram_read_on_a_projector(page):
    specs, dots = vega_specs(page), dot_sources(page)
    assert len(specs) == N_CHARTS and len(dots) == 1
    assert not any(font_problems(s, theme.MIN_PX["page"]) for s in specs)
    assert not any(dot_font_problems(d, theme.MIN_DIAGRAM_PX["page"]) for d in dots)


def test_every_control_changes_its_own_view(page):
    at = page
    for kind, key, value, target in CONTROLS:
        before = _views(at)
        widget = getattr(at, kind)(key=key)
        assert widget.value != value, key
        (widget.select(value) if kind == "selectbox" else widget.set_value(value))
        at.run()
        assert not at.exception, (key, [e.value for e in at.exception])
        after = _views(at)
        assert len(after) == len(before), key
        assert after[target] != before[target], f"{key}={value} did not change {target}"
        assert len(at.warning) == 0, key


def test_a_link_restores_the_view():
    at = _run(width="32", epochs="20", patience="3", monitor="validation accuracy", show="accuracy", lam="0.01", net="4-8-8-2",
              p="0.3", it="7", stat="variance", when="end", decay_steps="10")
    assert len(at.warning) == 0, [w.value for w in at.warning]
    assert at.select_slider(key="width").value == 32 and at.slider(key="epochs").value == 20
    assert at.slider(key="patience").value == 3 and at.radio(key="monitor").value == "validation accuracy"
    assert at.radio(key="show").value == "accuracy" and at.select_slider(key="lam").value == 0.01
    assert at.selectbox(key="net").value == "4-8-8-2" and at.slider(key="p").value == 0.3
    assert at.slider(key="it").value == 7 and at.radio(key="stat").value == "variance"
    assert at.radio(key="when").value == "end" and at.select_slider(key="decay_steps").value == 10
    assert "64-32-32-10" in next(c.value for c in at.caption if c.value.startswith("Network 64-"))
    assert at.metric[3].label == "… after all 20 epochs"


def test_a_bad_link_value_is_flagged_and_falls_back():
    at = _run(lam="banana", net="5-5-5")
    notices = [w.value for w in at.warning]
    assert any("lam=banana" in n for n in notices) and any("net=5-5-5" in n for n in notices)
    assert at.select_slider(key="lam").value == 3e-3 and at.selectbox(key="net").value == "2-3-1 (lecture)"
