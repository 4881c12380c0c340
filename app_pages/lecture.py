"""Lecture mode: the lecture's figures in slide order, one live figure per projector screen, driven by a clicker."""

import html
from urllib.parse import urlsplit

import streamlit as st

from ui.charts import theme
from ui.charts.diagrams import graphviz_chart

from ui.lecture.controls import MAX_CONTROLS, Controls
from ui.lecture.export import to_png, to_svg
from ui.lecture.figure import Figure
from ui.lecture.presenter import SCENE_PARAM, ask, current_scene, hide_chrome, top_bar, verdict
from ui.lecture.registry import Scene
from ui.share import copy_link_button
from ui.lecture.style import FIGURE_PX
from ui.lecture.warmup import warm_up


def short_link(scene: Scene) -> str:
    """The scene's short address (≤ 80 characters), absolute when the browser's address is known."""
    path = f"/lecture?{SCENE_PARAM}={scene.id}"
    url = st.context.url
    if not url:
        return path
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{path}"


def draw_figure(figure: Figure) -> None:
    """The figure at projector size: a Vega-Lite chart or a Graphviz diagram, FIGURE_PX tall."""
    if figure.vega is not None:
        fixed = isinstance(figure.vega.get("width"), int) or any(k in figure.vega for k in ("hconcat", "vconcat"))
        st.vega_lite_chart(figure.vega, width="content" if fixed else "stretch")
    else:  # Graphviz has no title of its own: the figure's title goes above it, at chart-title size
        st.html(f'<p class="lecture-figure-title">{html.escape(figure.title)}</p>')
        graphviz_chart(figure.dot, width="stretch", height=FIGURE_PX - 40)


def footer(scene: Scene, figure: Figure, controls: Controls) -> None:
    """Below the figure: the full page, the link to this view, the short link, the figure for slides."""
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.link_button("Open in the full page", scene.page_url(controls.page_params), icon=":material/open_in_new:")
    with row:
        copy_link_button(label="Copy link", help="A link to this scene with its current settings")
    name = f"lecture-{scene.id}"
    if figure.vega is not None:
        row.download_button("SVG", lambda: to_svg(figure.vega), f"{name}.svg", "image/svg+xml", on_click="ignore",
                            icon=":material/download:")
        row.download_button("PNG", lambda: to_png(figure.vega), f"{name}.png", "image/png", on_click="ignore",
                            icon=":material/download:")
    else:
        row.download_button("Graphviz source", figure.dot, f"{name}.gv", "text/vnd.graphviz", on_click="ignore",
                            icon=":material/download:")
    st.markdown(f"Short link: `{short_link(scene)}`")


theme.use_scale("lecture")  # every chart and diagram of this run at projector size (≥ 20 px / ≥ 18 px)
hide_chrome()
scene = current_scene()
top_bar(scene)
if ask(scene):
    text, *columns = st.columns([3.4] + [2] * MAX_CONTROLS, vertical_alignment="bottom")
    text.html(f'<p class="lecture-text">{scene.text}</p>')
    controls = Controls(scene.id, columns)
    try:
        figure = scene.draw(controls)
    except ValueError as err:  # a value the lesson code rejects: say so, keep the lecture going
        st.error(f"This scene cannot be drawn with these settings: {err}", icon=":material/error:")
    else:
        draw_figure(figure)
        line = " ".join(part for part in (verdict(scene, figure.answer), figure.note) if part)
        if line:
            st.markdown(line)
        footer(scene, figure, controls)
warm_up()
