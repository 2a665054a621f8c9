"""A generated cover image: a plain, high-contrast design, with the title when a CJK font exists.

Pillow's built-in font has no Chinese glyphs, and no CJK font is guaranteed on a build
machine, so the title is drawn only when fontconfig finds one; otherwise the image is
decorative and the cover page carries the title as text (see `xhtml.cover_page`).
"""

from __future__ import annotations

import functools
import hashlib
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 1800
_RED, _GOLD, _WHITE = (150, 24, 28), (242, 193, 78), (255, 255, 255)


@dataclass(frozen=True)
class Cover:
    png: bytes
    title_drawn: bool


@functools.lru_cache(maxsize=1)
def cjk_font() -> Path | None:
    """A font file with Chinese glyphs, as fontconfig lists it, or None."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return None
    try:
        listing = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.strip().rstrip(":") for line in listing.splitlines() if line.strip())
    return Path(files[0]) if files else None


def _wave(draw: ImageDraw.ImageDraw, seed: str) -> None:
    """Sound-wave bars (the book is also an audiobook), shaped by the title so covers differ."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    bars, gap, base = 24, 14, 1380
    bar_w = (WIDTH - 200 - gap * (bars - 1)) // bars
    for i in range(bars):
        h = 60 + digest[i] % 220
        x = 100 + i * (bar_w + gap)
        draw.rounded_rectangle([x, base - h // 2, x + bar_w, base + h // 2], radius=bar_w // 2, fill=_GOLD)


def _title_lines(title: str, most: int = 9) -> list[str]:
    """The title in lines of at most ``most`` characters, as even as possible."""
    lines = -(-len(title) // most)
    per_line = -(-len(title) // max(lines, 1))
    return [title[i : i + per_line] for i in range(0, len(title), per_line)][:4]


def render_cover(title: str, font: Path | None = None) -> Cover:
    """The cover PNG; ``font`` defaults to `cjk_font()`."""
    font = font or cjk_font()
    image = Image.new("RGB", (WIDTH, HEIGHT), _RED)
    draw = ImageDraw.Draw(image)
    draw.rectangle([60, 60, WIDTH - 60, HEIGHT - 60], outline=_GOLD, width=8)
    draw.rectangle([60, 420, WIDTH - 60, 432], fill=_GOLD)
    _wave(draw, title)
    drawn = False
    if font is not None:
        try:
            face = ImageFont.truetype(str(font), 104)
        except OSError:
            face = None
        if face is not None:
            y = 560
            for line in _title_lines(title):
                draw.text((WIDTH // 2, y), line, font=face, fill=_WHITE, anchor="mt")
                y += 140
            drawn = True
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return Cover(buffer.getvalue(), drawn)
