# Validates a Kanwu ground-truth label file (labels/page-X.tsv) and prints the clean page obtained by applying it.
"""Usage:
    python3 apply_labels.py LABELS.tsv [PAGE.txt] [--no-page]

LABELS.tsv   a label file: header `start\tend\tcode\treplacement`, then one
             label per line (UTF-8 byte offsets into PAGE, end exclusive,
             replacement a JSON string literal).
PAGE.txt     the raw page; default: $KANWU_SEEDS/<stem>.txt, where
             KANWU_SEEDS defaults to /work/shared/seeds.

The clean page is printed on stdout; the count of labels per code (and any
warning, e.g. brackets still unbalanced in a clean paragraph) on stderr.
--no-page suppresses the clean page.  Exit status 1 if the file is invalid.
"""
import collections
import json
import os
import sys

HEADER = "start\tend\tcode\treplacement"
CODES = {
    "cjk-space", "num-space", "dropped-quote", "line-wrap", "blank-split",
    "vertical-heading", "half-width-punct", "doubled-text", "repeated-word",
    "ellipsis", "unbalanced-bracket", "duplicate-line", "blank-line-space",
    "trailing-space", "leading-space", "full-width-alnum", "replacement-char",
    "control-char", "mixed-script", "known-misreading",
}
PAIRS = {"“": "”", "‘": "’", "（": "）", "(": ")", "《": "》", "「": "」"}


def load(label_path, page_bytes):
    errors = []
    labels = []
    with open(label_path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != HEADER:
        errors.append("line 1: header must be %r" % HEADER)
    n = len(page_bytes)
    for no, line in enumerate(lines[1:], start=2):
        parts = line.split("\t")
        if len(parts) != 4:
            errors.append("line %d: expected 4 tab-separated fields" % no)
            continue
        s, e, code, rep = parts
        try:
            s, e = int(s), int(e)
        except ValueError:
            errors.append("line %d: start/end must be integers" % no)
            continue
        if not (0 <= s <= e <= n):
            errors.append("line %d: range %d..%d outside page (%d bytes)" % (no, s, e, n))
            continue
        for off in (s, e):
            if off < n and 0x80 <= page_bytes[off] <= 0xBF:
                errors.append("line %d: offset %d is not on a UTF-8 character boundary" % (no, off))
        if code not in CODES:
            errors.append("line %d: unknown code %r" % (no, code))
        try:
            r = json.loads(rep)
            if not isinstance(r, str) or not rep.startswith('"'):
                raise ValueError
        except ValueError:
            errors.append("line %d: replacement must be a JSON string literal" % no)
            continue
        labels.append((s, e, code, r, no))
    for a, b in zip(labels, labels[1:]):
        if (b[0], b[1]) < (a[0], a[1]):
            errors.append("line %d: labels not sorted by start" % b[4])
        elif a[1] > b[0]:
            errors.append("line %d: overlaps the label on line %d" % (b[4], a[4]))
        elif a[0] == a[1] == b[0] == b[1]:
            errors.append("line %d: two insertions at offset %d (merge them)" % (b[4], b[0]))
    return labels, errors


def apply(labels, page_bytes):
    out = []
    pos = 0
    for s, e, _code, rep, _no in labels:
        out.append(page_bytes[pos:s])
        out.append(rep.encode("utf-8"))
        pos = e
    out.append(page_bytes[pos:])
    return b"".join(out).decode("utf-8")


def balance_warnings(text):
    """Brackets/quotes still unpaired inside one clean paragraph (line)."""
    closers = {v: k for k, v in PAIRS.items()}
    warns = []
    for no, para in enumerate(text.split("\n"), start=1):
        stack = []
        for ch in para:
            if ch in PAIRS:
                stack.append(ch)
            elif ch in closers:
                if stack and stack[-1] == closers[ch]:
                    stack.pop()
                else:
                    warns.append("clean line %d: unpaired %s" % (no, ch))
        for ch in stack:
            warns.append("clean line %d: unpaired %s" % (no, ch))
    return warns


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = {a for a in argv if a.startswith("--")}
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    label_path = args[0]
    if len(args) > 1:
        page_path = args[1]
    else:
        stem = os.path.splitext(os.path.basename(label_path))[0]
        page_path = os.path.join(os.environ.get("KANWU_SEEDS", "/work/shared/seeds"), stem + ".txt")
    with open(page_path, "rb") as f:
        page = f.read()
    labels, errors = load(label_path, page)
    for err in errors:
        print("ERROR %s: %s" % (label_path, err), file=sys.stderr)
    if errors:
        return 1
    clean = apply(labels, page)
    if "--no-page" not in flags:
        sys.stdout.write(clean)
    counts = collections.Counter(l[2] for l in labels)
    print("%s: %d labels" % (label_path, len(labels)), file=sys.stderr)
    for code, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
        print("  %-20s %d" % (code, c), file=sys.stderr)
    for w in balance_warnings(clean):
        print("  warning: " + w, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
