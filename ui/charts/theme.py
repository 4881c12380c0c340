"""Vega-Lite config that keeps chart text readable from the back of a lecture hall.

Streamlit's chart theme draws axis labels at about 11 px; on a projector those are unreadable.
``PROJECTOR_CONFIG`` goes into a spec's ``config`` (it overrides the theme's sizes, nothing else).
"""

from __future__ import annotations

PROJECTOR_CONFIG: dict = {
    "axis": {"labelFontSize": 14, "titleFontSize": 15, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 14, "titleFontSize": 14},
    "title": {"fontSize": 16},
    "header": {"labelFontSize": 13, "titleFontSize": 14},
}


def projector_config(spec: dict) -> dict:
    """``spec`` with PROJECTOR_CONFIG under its config (keys the spec already sets win)."""
    config = spec.setdefault("config", {})
    for group, values in PROJECTOR_CONFIG.items():
        config[group] = {**values, **config.get(group, {})}
    return spec
