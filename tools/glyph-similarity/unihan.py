# Reads the Unihan fields that the glyph-similarity generator uses from Debian's unicode-data package.
"""Loads the 通用规范汉字表 (kTGH) list and the structural fields of its characters from Unihan.

The Unihan files are the bzip2-compressed ones that Debian's `unicode-data` package installs
under /usr/share/unicode. Only the fields named in FIELDS are kept, and only for the characters
that the caller asks for (or all characters when it does not).
"""

import bz2
import re
from dataclasses import dataclass, field
from pathlib import Path

UNIHAN_DIR = Path("/usr/share/unicode")

# The fields that are read, and the file of Unicode 15.0's Unihan that holds each of them.
FIELDS = {
    "kTGH": "Unihan_OtherMappings.txt.bz2",
    "kTotalStrokes": "Unihan_IRGSources.txt.bz2",
    "kRSUnicode": "Unihan_IRGSources.txt.bz2",
    "kFourCornerCode": "Unihan_DictionaryLikeData.txt.bz2",
    "kCangjie": "Unihan_DictionaryLikeData.txt.bz2",
    "kSemanticVariant": "Unihan_Variants.txt.bz2",
    "kSimplifiedVariant": "Unihan_Variants.txt.bz2",
    "kTraditionalVariant": "Unihan_Variants.txt.bz2",
    "kZVariant": "Unihan_Variants.txt.bz2",
}


@dataclass
class CharInfo:
    """The structural facts about one character that the similarity scoring uses."""

    char: str
    tgh_index: int = 0  # The number in the 通用规范汉字表 (1–3500 level 1, 3501–6500 level 2, 6501–8105 level 3), or 0.
    strokes: int = 0  # The first kTotalStrokes value (the one for the mainland glyph).
    radical: int = 0  # The first kRSUnicode radical number (simplified-form apostrophes dropped).
    residual: int = 0  # The residual stroke count of that kRSUnicode entry.
    four_corner: list = field(default_factory=list)  # Every kFourCornerCode value, e.g. ["1771.7"].
    cangjie: str = ""  # The kCangjie code, e.g. "SU".
    variants: set = field(default_factory=set)  # Characters named in any variant field of this character.


def _codepoint_to_char(token):
    """Turns a Unihan "U+XXXX" token (possibly followed by "<source") into the character."""
    match = re.match(r"U\+([0-9A-F]{4,6})", token)
    return chr(int(match.group(1), 16)) if match else None


def read_raw(fields=FIELDS, unihan_dir=UNIHAN_DIR):
    """Returns {field: {char: value}} for the requested fields."""
    by_file = {}
    for name, filename in fields.items():
        by_file.setdefault(filename, set()).add(name)
    raw = {name: {} for name in fields}
    for filename, names in by_file.items():
        with bz2.open(unihan_dir / filename, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#") or not line.strip():
                    continue
                code, name, value = line.rstrip("\n").split("\t", 2)
                if name in names:
                    raw[name][_codepoint_to_char(code)] = value
    return raw


def load(unihan_dir=UNIHAN_DIR):
    """Returns (tgh_chars, info): the 8,105 characters in 通用规范汉字表 order and a CharInfo for each."""
    raw = read_raw(unihan_dir=unihan_dir)
    tgh = {}
    for char, value in raw["kTGH"].items():
        # A kTGH value looks like "2013:1234"; only the 2013 list exists.
        year, number = value.split(":")
        if year == "2013":
            tgh[char] = int(number)
    tgh_chars = sorted(tgh, key=tgh.get)
    info = {}
    for char in tgh_chars:
        item = CharInfo(char=char, tgh_index=tgh[char])
        strokes = raw["kTotalStrokes"].get(char)
        if strokes:
            item.strokes = int(strokes.split()[0])
        rs = raw["kRSUnicode"].get(char)
        if rs:
            radical, residual = rs.split()[0].split(".")
            item.radical = int(radical.rstrip("'"))
            item.residual = int(residual)
        corner = raw["kFourCornerCode"].get(char)
        if corner:
            item.four_corner = corner.split()
        item.cangjie = raw["kCangjie"].get(char, "")
        for name in ("kSemanticVariant", "kSimplifiedVariant", "kTraditionalVariant", "kZVariant"):
            for token in raw[name].get(char, "").split():
                other = _codepoint_to_char(token)
                if other and other != char:
                    item.variants.add(other)
        info[char] = item
    return tgh_chars, info


def unicode_version(unihan_dir=UNIHAN_DIR):
    """Returns the Unicode version that the installed Unihan files name in their header, e.g. "15.0.0"."""
    with bz2.open(unihan_dir / "Unihan_IRGSources.txt.bz2", "rt", encoding="utf-8") as handle:
        for line in handle:
            match = re.search(r"Unicode (?:version|Version):?\s*([0-9.]+)|Unihan_IRGSources-([0-9.]+)\.txt", line)
            if match:
                return match.group(1) or match.group(2)
            if not line.startswith("#"):
                break
    return "unknown"
