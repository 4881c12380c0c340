"""Checks shared by the chart-style tests: font sizes in Vega-Lite specs and DOT sources, colour distances."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

REQUIRED = {  # config entries Vega-Lite would otherwise draw at 10–13 px
    "axis": ("labelFontSize", "titleFontSize"),
    "legend": ("labelFontSize", "titleFontSize"),
    "title": ("fontSize", "subtitleFontSize"),
    "header": ("labelFontSize", "titleFontSize"),
    "text": ("fontSize",),
}


def _walk(node: Any, path: str = ""):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "datasets":
                continue
            yield path + "/" + k, k, v
            yield from _walk(v, path + "/" + k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")


def font_problems(spec: dict, minimum: float) -> list[str]:
    """Every text size in ``spec`` that is missing or below ``minimum`` px: the config's defaults for axes, legends,
    titles, headers and text marks, and any size set anywhere in nested layers, concats, encodings or marks."""
    problems = []
    config = spec.get("config", {})
    for group, keys in REQUIRED.items():
        for key in keys:
            value = config.get(group, {}).get(key)
            if not isinstance(value, (int, float)) or value < minimum:
                problems.append(f"config.{group}.{key} = {value}")
    for path, key, value in _walk({k: v for k, v in spec.items() if k != "config"}):
        if key.lower().endswith("fontsize") and isinstance(value, (int, float)) and value < minimum:
            problems.append(f"{path} = {value}")
    return problems


def dot_font_problems(dot: str, minimum: float) -> list[str]:
    """Graphviz font sizes below ``minimum``, and a missing node default (Graphviz would use 14)."""
    sizes = [float(v) for v in re.findall(r"fontsize\s*=\s*\"?([0-9.]+)", dot)]
    problems = [f"fontsize={v:g}" for v in sizes if v < minimum]
    if not re.search(r"node \[[^\]]*fontsize", dot):
        problems.append("no node fontsize")
    return problems


def vega_specs(at) -> list[dict]:
    """The Vega-Lite JSON of every st.vega_lite_chart / st.altair_chart element of an AppTest run."""
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def dot_sources(at) -> list[str]:
    return [el.proto.spec for el in at.get("graphviz_chart")]


# --- colour: Machado, Oliveira & Fernandes (2009) deuteranopia (severity 1) in linear RGB, then CIELAB ΔE76 ---
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
WHITE = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(hex_color: str) -> np.ndarray:
    c = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(lin: np.ndarray) -> np.ndarray:
    t = SRGB_TO_XYZ @ lin / WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, deutan: bool = True) -> float:
    """CIE76 ΔE between two colours, as a deuteranope sees them (or as anyone does with deutan=False)."""
    la, lb = linear_rgb(a), linear_rgb(b)
    if deutan:
        la, lb = np.clip(DEUTERANOPIA @ la, 0, 1), np.clip(DEUTERANOPIA @ lb, 0, 1)
    return float(np.linalg.norm(lab(la) - lab(lb)))
