"""A deterministic avatar per persona, drawn locally with Pillow (no network, no model).

The colours and the shape come from a hash of the persona's name and title, so the same
persona always gets the same picture; the initial is drawn in the middle of the head.
"""

from __future__ import annotations

import colorsys
import hashlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PALETTE_SATURATION = 0.45
PALETTE_LIGHTNESS = 0.62


def _rgb(hue: float, light: float, sat: float = PALETTE_SATURATION) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, light, sat)
    return int(r * 255), int(g * 255), int(b * 255)


def render_avatar(name: str, title: str, *, size: int = 256) -> Image.Image:
    """A square PNG-ready picture: coloured background, head and shoulders, an initial."""
    digest = hashlib.sha256(f"{name}|{title}".encode()).digest()
    hue = digest[0] / 255
    background = _rgb(hue, PALETTE_LIGHTNESS)
    figure = _rgb(hue + 0.5, 0.35 + digest[1] / 255 * 0.2)
    accent = _rgb(hue + 0.25, 0.85, 0.3)
    img = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(img)
    s = size / 256
    shoulders_w = (150 + digest[2] % 40) * s
    draw.ellipse(
        (size / 2 - shoulders_w / 2, 170 * s, size / 2 + shoulders_w / 2, 330 * s), fill=figure
    )
    head = (70 + digest[3] % 16) * s
    draw.ellipse((size / 2 - head / 2, 60 * s, size / 2 + head / 2, 60 * s + head), fill=figure)
    font = ImageFont.load_default(size=int(40 * s))
    initial = (name[:1] or "?").upper()
    box = draw.textbbox((0, 0), initial, font=font)
    cx, cy = size / 2, 60 * s + head / 2
    draw.text(
        (cx - (box[2] - box[0]) / 2 - box[0], cy - (box[3] - box[1]) / 2 - box[1]),
        initial,
        fill=accent,
        font=font,
    )
    return img


def save_avatar(name: str, title: str, path: Path, *, size: int = 256) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    render_avatar(name, title, size=size).save(path, format="PNG", optimize=True)
    return path
