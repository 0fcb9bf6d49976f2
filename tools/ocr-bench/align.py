# Aligns OCR output with its source text, line by line, and lists the Han characters the OCR engine read as another Han character.
"""Alignment of OCR lines with the column lines they were rendered from.

Each OCR line is aligned with its source line by a character diff (difflib); a replaced run of
equal length pairs its characters one to one, and a pair of two different Han characters is a
confusion (source → read). Inserted, deleted and unequal replaced runs are counted, not paired.
"""

import difflib
import unicodedata


def is_han(char):
    return "CJK UNIFIED IDEOGRAPH" in unicodedata.name(char, "")


def align(source, read):
    """The confusions (offset in `source`, source char, read char) and the counts of the line."""
    matcher = difflib.SequenceMatcher(a=source, b=read, autojunk=False)
    confusions = []
    counts = {"equal": 0, "replaced": 0, "deleted": 0, "inserted": 0}
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            counts["equal"] += a1 - a0
        elif tag == "replace" and a1 - a0 == b1 - b0:
            for offset in range(a1 - a0):
                wanted, got = source[a0 + offset], read[b0 + offset]
                if wanted != got:
                    counts["replaced"] += 1
                    if is_han(wanted) and is_han(got):
                        confusions.append((a0 + offset, wanted, got))
        else:
            counts["deleted"] += a1 - a0
            counts["inserted"] += b1 - b0
    return confusions, counts
