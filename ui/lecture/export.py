"""A scene's figure for slides: SVG and PNG through vl-convert (Altair's own exporter), drawn at lecture size."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import vl_convert as vlc

VL_VERSION = "6.4"
EXPORT_WIDTH = 1100  # px of the exported plot area (a 16:9 slide's content width)
NO_REMOTE: list[str] = []  # no URL may be fetched while rendering: images come as data: URLs


def _cell(value: Any) -> Any:
    """A JSON-safe table cell: NaN and ±inf become null, NumPy scalars plain Python."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: Any) -> Any:
    """A data set as JSON records: a frame, or Arrow IPC bytes (a frozen spec's, ``ui.charts.frozen``)."""
    if isinstance(frame, bytes):
        frame = pa.ipc.open_stream(frame).read_pandas()
    if isinstance(frame, pd.DataFrame):
        return [{k: _cell(v) for k, v in row.items()} for row in frame.to_dict("records")]
    return frame


def standalone(spec: dict, width: int = EXPORT_WIDTH) -> dict:
    """The spec with its data sets inline as JSON records, a fixed width and a white background."""
    out = {k: v for k, v in spec.items() if k != "datasets"}
    out["datasets"] = {name: _records(frame) for name, frame in (spec.get("datasets") or {}).items()}
    if not any(k in out for k in ("hconcat", "vconcat", "concat", "facet")):
        out["width"] = int(width)
    out["background"] = "white"
    out.setdefault("$schema", "https://vega.github.io/schema/vega-lite/v6.json")
    return json.loads(json.dumps(out, default=_cell))


def to_svg(spec: dict) -> str:
    """The figure as an SVG document (text stays text, so a slide can still be searched and edited)."""
    return vlc.vegalite_to_svg(standalone(spec), vl_version=VL_VERSION, allowed_base_urls=NO_REMOTE)


def to_png(spec: dict, scale: float = 2.0) -> bytes:
    """The figure as a PNG at ``scale`` × its size (sharp on a 4K projector)."""
    return vlc.vegalite_to_png(standalone(spec), vl_version=VL_VERSION, scale=scale, allowed_base_urls=NO_REMOTE)
