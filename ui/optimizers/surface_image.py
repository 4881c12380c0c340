"""A loss surface rendered as a PNG data URL: banded, contour-like colours on a pale viridis map."""

from __future__ import annotations

import base64
import io
import math

import numpy as np
from PIL import Image

from core.engine.surfaces import Surface

# Viridis stops blended with white: a pale map that coloured paths stand out on.
_VIRIDIS = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151",
            "#bddf26", "#fde725"]
_PALE = 0.55  # share of white mixed in


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


SURFACE_STOPS = np.array([(1 - _PALE) * _rgb(c) + _PALE * 255 for c in _VIRIDIS])  # (11, 3)
SURFACE_RANGE = ["#%02x%02x%02x" % tuple(int(round(v)) for v in c) for c in SURFACE_STOPS]  # for the legend


def _colorize(t: np.ndarray) -> np.ndarray:
    """Map t ∈ [0, 1] (any shape) to RGB along the pale viridis stops."""
    pos = np.clip(t, 0, 1) * (len(SURFACE_STOPS) - 1)
    i = np.minimum(pos.astype(int), len(SURFACE_STOPS) - 2)
    frac = (pos - i)[..., None]
    return (1 - frac) * SURFACE_STOPS[i] + frac * SURFACE_STOPS[i + 1]


def surface_values(surface: Surface, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """What the colour shows: log₁₀(f − f*) on log-scaled surfaces (as the lecture draws Beale), else f."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        F = surface.f(X, Y)
        return np.log10(np.maximum(F - surface.min_value, 1e-300)) if surface.log_scale else F


def colour_domain(surface: Surface, n: int = 200) -> tuple[float, float]:
    """A fixed colour range per surface from its grid; log levels in half decades, at most 6 decades."""
    (x0, x1), (y0, y1) = surface.domain
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    V = surface_values(surface, X, Y)
    hi, lo = float(np.max(V)), float(np.percentile(V, 0.5))
    if surface.log_scale:
        lo = max(lo, hi - 6.0)
        return math.floor(lo * 2) / 2, math.ceil(hi * 2) / 2
    return lo, hi


def surface_image(surface: Surface, domain: tuple[tuple[float, float], tuple[float, float]],
                  cdomain: tuple[float, float], px: int = 360, band: float = 0.5) -> str:
    """PNG data URL of the surface over ``domain``: colour bands ``band`` decades wide with darker level lines."""
    (x0, x1), (y0, y1) = domain
    ny = max(2, int(round(px * (y1 - y0) / (x1 - x0))))
    X, Y = np.meshgrid(np.linspace(x0, x1, px), np.linspace(y1, y0, ny))  # row 0 is the top (y max)
    V = surface_values(surface, X, Y)
    lo, hi = cdomain
    step = band if surface.log_scale else (hi - lo) / 12
    level = np.floor((np.clip(V, lo, hi) - lo) / step)
    rgb = _colorize((level + 0.5) * step / (hi - lo))
    edge = np.zeros(level.shape, dtype=bool)
    edge[:, 1:] |= level[:, 1:] != level[:, :-1]
    edge[1:, :] |= level[1:, :] != level[:-1, :]
    rgb[edge] *= 0.8  # level lines
    buf = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8), "RGB").save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
