# Renders characters from the Noto CJK SC faces into fixed-position grayscale bitmaps for the glyph-similarity generator.
"""Renders each character into a size×size grayscale array (0 = paper, 1 = ink).

Glyphs keep their place in the em box: each is drawn at the same pen position on its baseline,
not re-centred on its bounding box, so that a stroke that one character has and another lacks
shows up as a difference instead of being hidden by a shift.
"""

import hashlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONTS = {
    "sans": (FONT_DIR / "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "serif": (FONT_DIR / "NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
}
# The ideographic em box of Noto CJK runs from 0.12 em below the baseline to 0.88 em above it.
BASELINE = 0.88


def open_face(path, family, size):
    """Opens the face of a .ttc collection whose family name is `family` (the SC face), at `size` pixels."""
    index = 0
    while True:
        try:
            font = ImageFont.truetype(str(path), size, index=index)
        except OSError:
            raise SystemExit(f"no face named {family!r} in {path}")
        if font.getname()[0] == family:
            return font
        index += 1


def render(chars, font_key, size):
    """Returns a float32 array of shape (len(chars), size, size) with ink in [0, 1]."""
    path, family = FONTS[font_key]
    font = open_face(path, family, size)
    out = np.zeros((len(chars), size, size), dtype=np.float32)
    for i, char in enumerate(chars):
        image = Image.new("L", (size, size), 0)
        ImageDraw.Draw(image).text((0, round(BASELINE * size)), char, fill=255, font=font, anchor="ls")
        out[i] = np.asarray(image, dtype=np.float32) / 255.0
    return out


def render_cached(chars, font_key, size, cache_dir):
    """Like render(), but keeps the result in cache_dir, keyed by the font, the size and the character list."""
    digest = hashlib.sha1("".join(chars).encode("utf-8")).hexdigest()[:12]
    path, _ = FONTS[font_key]
    stamp = int(path.stat().st_mtime)
    cache = Path(cache_dir) / f"{font_key}-{size}-{stamp}-{digest}.npy"
    if cache.exists():
        return np.load(cache)
    cache.parent.mkdir(parents=True, exist_ok=True)
    bitmaps = render(chars, font_key, size)
    np.save(cache, bitmaps)
    return bitmaps
