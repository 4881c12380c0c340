"""Pictures of the playground as small PNG data URLs: one per unit, cheap enough for several frames a second."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

from ui.charts import theme

Array = np.ndarray

# The app's colours (Okabe–Ito): class 0 and negative values blue, class 1 and positive values vermillion.
NEGATIVE, POSITIVE, NEUTRAL = theme.NAMED["class 0"], theme.NAMED["class 1"], "#F7F7F7"
OUTPUT_STRENGTH = 0.7  # the output map stops short of the point colours, so every point stands out on it
# More classes: the hues farthest from blue and vermillion first (orange would pass for vermillion).
CLASS_COLORS = [NEGATIVE, POSITIVE, theme.GREEN, theme.PURPLE, theme.SKY, theme.ORANGE, theme.BLACK, theme.YELLOW]


def rgb(hex_color: str) -> Array:
    """(3,) float RGB of '#rrggbb'."""
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _lut() -> Array:
    t = np.linspace(-1, 1, 256)[:, None]
    neg, mid, pos = rgb(NEGATIVE), rgb(NEUTRAL), rgb(POSITIVE)
    return np.where(t < 0, mid + (neg - mid) * -t, mid + (pos - mid) * t).astype(np.uint8)  # (256, 3)


DIVERGING = _lut()


def diverging_rgb(V: Array, scale: float = 1.0) -> Array:
    """(…, 3) uint8 colours of V/scale clipped to [−1, 1]: blue ← white → vermillion."""
    idx = np.rint((np.clip(V / scale, -1.0, 1.0) + 1.0) * 127.5).astype(np.intp)
    return DIVERGING[idx]


def classes_rgb(P: Array, discrete: bool = False) -> Array:
    """(r, r, 3) colours of class probabilities P (k, r, r): the likeliest class's colour, paler when unsure."""
    k = P.shape[0]
    winner = P.argmax(axis=0)  # (r, r)
    colours = np.array([rgb(c) for c in CLASS_COLORS[:k]])  # (k, 3)
    if discrete:
        strength = np.full(winner.shape, OUTPUT_STRENGTH)
    else:
        strength = OUTPUT_STRENGTH * np.clip((P.max(axis=0) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    white = rgb(NEUTRAL)
    return (white + (colours[winner] - white) * strength[..., None]).astype(np.uint8)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bytes(pixels: Array) -> bytes:
    """An 8-bit RGB PNG of an (h, w, 3) uint8 image, written directly (PIL's plumbing costs more than the pixels)."""
    h, w, _ = pixels.shape
    rows = np.zeros((h, 1 + 3 * w), dtype=np.uint8)  # filter byte 0 ("none") before each row
    rows[:, 1:] = np.asarray(pixels, dtype=np.uint8).reshape(h, 3 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
            + _chunk(b"IEND", b""))


def png_url(pixels: Array) -> str:
    """A data URL of an (h, w, 3) uint8 image."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(pixels)).decode("ascii")


def class_unit_url(P: Array, k: int) -> str:
    """PNG of one softmax output P(class k) (r, r): white at 0, the class's colour at 1."""
    white, colour = rgb(NEUTRAL), rgb(CLASS_COLORS[k])
    return png_url((white + (colour - white) * np.clip(P, 0, 1)[..., None]).astype(np.uint8))


def _signed(V: Array, discrete: bool) -> Array:
    return diverging_rgb(OUTPUT_STRENGTH * (np.sign(V) if discrete else V))


# output layer → painter(out (k, r, r), discrete) -> (r, r, 3) colours
OUTPUT_PAINTERS = {
    "softmax": classes_rgb,
    "sigmoid": lambda out, discrete: _signed(2.0 * out[0] - 1.0, discrete),  # P(class 1) ↦ [−1, 1]
    "linear": lambda out, discrete: _signed(out[0], discrete),
}


def output_pixels(out: Array, problem_output: str, discrete: bool) -> Array:
    """(r, r, 3) colours of the network output (k, r, r): class colours for softmax, diverging otherwise."""
    return OUTPUT_PAINTERS[problem_output](out, discrete)
