# Lays source text out as narrow newspaper columns and renders each column block to a scan-like, degraded grayscale image.
"""Rendering of benchmark pages.

A source paragraph is wrapped at a fixed column width (newspaper columns hold 12–16 characters),
each block of column lines is drawn in one of the benchmark fonts (never Noto, which built the
glyph-similarity table), at a scan-like size, then degraded: a slight blur, uneven ink, paper
noise, a small rotation and JPEG compression. Every step is seeded, so a page renders the same
way each time.
"""

import io
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# The benchmark faces: none of them was used to build the similarity table.
FONTS = {
    "uming": Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    "zenhei": Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
}


def wrap(paragraph, width):
    """Cuts a paragraph into column lines of `width` characters, the first indented by two."""
    text = "\u3000\u3000" + paragraph.strip()
    return [text[at : at + width] for at in range(0, len(text), width)]


def render_block(lines, font_key, size, seed):
    """Renders column lines (one image, one line of text per row) and degrades it like a scan."""
    return render_lines(lines, ImageFont.truetype(str(FONTS[font_key]), size), size, seed)


def render_lines(lines, font, size, seed):
    """Renders column lines in an opened `font` of `size` pixels and degrades the image like a scan."""
    rng = random.Random(seed)
    width = max(len(line) for line in lines) * size + 2 * size
    line_height = int(size * 1.45)
    height = len(lines) * line_height + 2 * size
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        y = size + row * line_height
        for column, char in enumerate(line):
            # Uneven ink: each character a little lighter or darker.
            ink = rng.randint(0, 60)
            draw.text((size + column * size, y), char, font=font, fill=ink)
    image = image.rotate(rng.uniform(-0.6, 0.6), resample=Image.BICUBIC, fillcolor=255, expand=False)
    image = image.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.5, 0.9)))
    # Scanned at a lower resolution than it was printed: down and up again.
    factor = rng.uniform(0.7, 0.9)
    small = image.resize((max(1, int(image.width * factor)), max(1, int(image.height * factor))), Image.BILINEAR)
    image = small.resize(image.size, Image.BILINEAR)
    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0, 12, pixels.shape)
    pixels = np.clip(pixels + noise, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=rng.randint(30, 55))
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")
