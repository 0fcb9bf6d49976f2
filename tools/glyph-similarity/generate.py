# Generates server/kanwu-core/data/glyph-similar.tsv, the table of look-alike characters for the confusable-char rule.
"""Usage: python generate.py [--out PATH] [--k 12] [--date YYYY-MM-DD]

Builds, for each of the 8,105 characters of the 通用规范汉字表, its up-to-K most similar-looking
characters within the same list, from glyphs rendered in Noto Sans CJK SC and Noto Serif CJK SC
and from Unihan's structural fields. README.md next to this script describes the method.
"""

import argparse
import datetime
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

import render
import unihan

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_OUT = REPO / "server" / "kanwu-core" / "data" / "glyph-similar.tsv"
CACHE = HERE / ".cache"

SIZE = 64  # The rendering size in pixels (one em).
POOL = 2  # The glyphs are average-pooled by this factor (64 → 32 px) before they are compared.
BLUR = 1  # The radius of the box blur (applied twice) before pooling, in pixels at SIZE.
CANDIDATES = 100  # How many nearest glyphs each of the two glyph views contributes as candidates.
MIN_SCORE = 0.30  # Neighbours scoring below this are left out, so a row may have fewer than K.

# The structural bonuses added to the glyph similarity; they were chosen on the [tune] pairs of pairs.txt.
BONUS_FOUR_CORNER_SAME = 0.10  # The first four digits of a Four-Corner code are the same.
BONUS_FOUR_CORNER_NEAR = 0.04  # They differ in exactly one digit.
BONUS_CANGJIE = 0.06  # The Cangjie codes are within Levenshtein distance 1.
BONUS_STROKES = 0.10  # The total stroke counts differ by at most 1.
MAX_BONUS = BONUS_FOUR_CORNER_SAME + BONUS_CANGJIE + BONUS_STROKES
GLYPH_FLAG = 0.55  # The glyph similarity at or above which a pair gets the G flag.


def box_blur(x, radius):
    """Blurs a stack of images (n, h, w) with a box of the given radius, twice, which approximates a Gaussian."""
    if radius <= 0:
        return x
    n = x.shape[1]
    for _ in range(2):
        for axis in (1, 2):
            pad = [(0, 0), (0, 0), (0, 0)]
            pad[axis] = (radius + 1, radius)
            c = np.cumsum(np.pad(x, pad), axis=axis)
            hi = [slice(None)] * 3
            lo = [slice(None)] * 3
            hi[axis] = slice(2 * radius + 1, 2 * radius + 1 + n)
            lo[axis] = slice(0, n)
            x = (c[tuple(hi)] - c[tuple(lo)]) / (2 * radius + 1)
    return x.astype(np.float32)


def average_pool(x, k):
    """Shrinks a stack of images (n, h, w) by averaging k×k blocks."""
    n, h, w = x.shape
    return x.reshape(n, h // k, k, w // k, k).mean(axis=(2, 4))


def bbox_normalise(bitmaps, min_fraction=0.3):
    """Stretches each glyph's ink bounding box to fill the square, so that 日 and 曰 or 目 and 且 line up.

    A side of the box shorter than min_fraction of the em keeps its size and is centred instead,
    so that thin glyphs such as 一 are not smeared over the whole square.
    """
    count, size, _ = bitmaps.shape
    out = np.zeros_like(bitmaps)
    for i, glyph in enumerate(bitmaps):
        ink = glyph > 0.3
        ys = np.where(ink.any(axis=1))[0]
        xs = np.where(ink.any(axis=0))[0]
        y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
        height = size if (y1 - y0) >= min_fraction * size else y1 - y0
        width = size if (x1 - x0) >= min_fraction * size else x1 - x0
        crop = Image.fromarray((glyph[y0:y1, x0:x1] * 255).astype(np.uint8))
        crop = crop.resize((width, height), Image.BILINEAR)
        top, left = (size - height) // 2, (size - width) // 2
        out[i, top : top + height, left : left + width] = np.asarray(crop, dtype=np.float32) / 255.0
    return out


def vectors(views):
    """Turns each character's glyphs (one stack per font) into one unit vector whose dot products are mean cosines."""
    parts = []
    for bitmaps in views:
        v = average_pool(box_blur(bitmaps, BLUR), POOL).reshape(len(bitmaps), -1)
        v = v - v.mean(axis=1, keepdims=True)
        v /= np.linalg.norm(v, axis=1, keepdims=True) + 1e-9
        parts.append(v / np.sqrt(len(views)))
    return np.ascontiguousarray(np.concatenate(parts, axis=1), dtype=np.float32)


def nearest(v, count, block=1024):
    """Returns (n, count) indices of each row's most similar other rows by dot product, computed block by block."""
    n = len(v)
    out = np.zeros((n, count), dtype=np.int32)
    for start in range(0, n, block):
        sims = v[start : start + block] @ v.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = -np.inf
        out[start : start + block] = np.argpartition(-sims, count, axis=1)[:, :count]
    return out


def pair_dot(v, left, right, chunk=50000):
    """Returns the dot products of v[left[i]] and v[right[i]] for every i."""
    out = np.zeros(len(left), dtype=np.float32)
    for s in range(0, len(left), chunk):
        out[s : s + chunk] = np.einsum("ij,ij->i", v[left[s : s + chunk]], v[right[s : s + chunk]])
    return out


def levenshtein(a, b):
    """Returns the edit distance between two short strings."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (ca != cb))
    return row[-1]


def four_corner_distance(a, b):
    """Returns the fewest differing digits among the first four of any two Four-Corner codes, or None if one lacks a code."""
    if not a.four_corner or not b.four_corner:
        return None
    return min(sum(p != q for p, q in zip(x[:4], y[:4])) for x in a.four_corner for y in b.four_corner)


def structure(a, b):
    """Returns (bonus, flags) for the structural evidence that two characters' Unihan data give."""
    bonus, flags = 0.0, ""
    corner = four_corner_distance(a, b)
    if corner == 0:
        bonus += BONUS_FOUR_CORNER_SAME
        flags += "F"
    elif corner == 1:
        bonus += BONUS_FOUR_CORNER_NEAR
        flags += "f"
    if a.cangjie and b.cangjie and levenshtein(a.cangjie, b.cangjie) <= 1:
        bonus += BONUS_CANGJIE
        flags += "C"
    if abs(a.strokes - b.strokes) <= 1:
        bonus += BONUS_STROKES
        flags += "S"
    # The R flag is information only: it adds nothing to the score.
    if a.radical == b.radical and abs(a.residual - b.residual) <= 1:
        flags += "R"
    return bonus, flags


def package_version(name):
    """Returns the installed version of a Debian package, or "unknown"."""
    try:
        return subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def build(chars, info, k):
    """Returns, for each character index, a list of (neighbour index, score, flags), best first."""
    t0 = time.time()
    glyphs = [render.render_cached(chars, font, SIZE, CACHE) for font in ("sans", "serif")]
    print(f"rendered {len(chars)} characters in 2 faces ({time.time() - t0:.1f}s)", file=sys.stderr)
    kept = vectors(glyphs)
    stretched = vectors([bbox_normalise(g) for g in glyphs])
    print(f"built glyph vectors ({time.time() - t0:.1f}s)", file=sys.stderr)

    # The candidates are the union of the nearest glyphs by the position-keeping view and by the stretched view.
    candidates = np.concatenate([nearest(kept, CANDIDATES), nearest(stretched, CANDIDATES)], axis=1)
    left, right = [], []
    for i, row in enumerate(candidates):
        unique = np.unique(row)
        left.append(np.full(len(unique), i, dtype=np.int32))
        right.append(unique.astype(np.int32))
    left, right = np.concatenate(left), np.concatenate(right)
    glyph = (pair_dot(kept, left, right) + pair_dot(stretched, left, right)) / 2
    print(f"scored {len(left)} candidate pairs by glyph ({time.time() - t0:.1f}s)", file=sys.stderr)

    table = [[] for _ in chars]
    starts = np.searchsorted(left, np.arange(len(chars) + 1))
    for i in range(len(chars)):
        a = info[chars[i]]
        scored = []
        for j, g in zip(right[starts[i] : starts[i + 1]], glyph[starts[i] : starts[i + 1]]):
            bonus, flags = structure(a, info[chars[j]])
            if g >= GLYPH_FLAG:
                flags = "G" + flags
            score = max(0.0, min(1.0, (float(g) + bonus) / (1.0 + MAX_BONUS)))
            scored.append((score, int(j), flags))
        scored.sort(key=lambda item: (-item[0], item[1]))
        table[i] = [(j, score, flags) for score, j, flags in scored[:k] if score >= MIN_SCORE]
    print(f"ranked the neighbours ({time.time() - t0:.1f}s)", file=sys.stderr)
    return table


def write(path, chars, table, k, date):
    """Writes the table with its header comments."""
    noto = package_version("fonts-noto-cjk")
    unicode_data = package_version("unicode-data")
    header = [
        f"# glyph-similar.tsv: look-alike characters for Kanwu's confusable-char rule, generated by tools/glyph-similarity/generate.py on {date}.",
        f"# Inputs: Unihan {unihan.unicode_version()} (Debian unicode-data {unicode_data}; Unicode License v3): kTGH, kFourCornerCode, kCangjie, kTotalStrokes, kRSUnicode;"
        f" Noto Sans CJK SC and Noto Serif CJK SC Regular (Debian fonts-noto-cjk {noto}; SIL Open Font License 1.1), rendered at {SIZE} px.",
        f"# Format: one line per character of the 8,105 of the 通用规范汉字表, in the table's order: the character, then up to {k} tab-separated neighbours, best first,"
        f" each NEIGHBOUR:SCORE:FLAGS; SCORE is in [0,1] (neighbours below {MIN_SCORE:.2f} are left out); neighbours are all within the 8,105.",
        "# Flags: G = the glyphs look alike (mean cosine of blurred glyph images ≥ "
        f"{GLYPH_FLAG}); F = same Four-Corner code (first four digits); f = Four-Corner codes differ in one digit;"
        " C = Cangjie codes within edit distance 1; S = total strokes differ by at most 1; R = same radical and residual strokes within 1 (R does not add to SCORE).",
    ]
    lines = []
    for i, char in enumerate(chars):
        fields = [char] + [f"{chars[j]}:{score:.2f}:{flags}" for j, score, flags in table[i]]
        lines.append("\t".join(fields))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(header + lines) + "\n", encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--k", type=int, default=12)
    parser.add_argument("--date", default=datetime.date.today().isoformat())
    args = parser.parse_args()
    start = time.time()
    chars, info = unihan.load()
    table = build(chars, info, args.k)
    write(args.out, chars, table, args.k, args.date)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size} bytes, {len(chars)} rows) in {time.time() - start:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
