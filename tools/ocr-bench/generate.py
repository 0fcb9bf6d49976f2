# Renders the benchmark's source texts as newspaper columns in each benchmark font, reads them back with RapidOCR (PP-OCRv4, rapidocr-onnxruntime 1.4.4) and writes the OCR pages and their alignment under tests/ocr/.
"""Usage: python3 tools/ocr-bench/generate.py [--sources tests/ocr/sources] [--out tests/ocr]

For each source `NAME.txt` (a `#` header line naming the source and its licence, then paragraphs
separated by blank lines) and each font of `render.FONTS`, it writes:
- `pages/NAME.FONT.ocr.txt`: what the OCR engine read, one column line per line, as OCR output is;
- `pages/NAME.FONT.source.txt`: the column lines it was rendered from, one per line;
- `pages/NAME.FONT.paragraphs.txt`: the 1-based numbers of the OCR lines that begin a paragraph
  (the oracle of the layout rules joins exactly the lines between them);
- `alignment/NAME.FONT.tsv`: every Han character read as another Han character
  (`line<TAB>column<TAB>source<TAB>read`, 1-based), after a header of counts.
The images are not kept; CI reads only these files and never runs OCR.
"""

import argparse
import zlib
from pathlib import Path

import numpy as np
from rapidocr_onnxruntime import RapidOCR

import align
import render

COLUMN_WIDTH = 14
LINES_PER_BLOCK = 10
FONT_SIZE = 19


def paragraphs(path):
    text = path.read_text(encoding="utf-8")
    body = [line for line in text.splitlines() if not line.startswith("#")]
    return [p.replace("\n", "") for p in "\n".join(body).split("\n\n") if p.strip()]


def read_block(engine, image):
    """The OCR engine's lines of one block image, top to bottom."""
    result, _ = engine(np.asarray(image))
    if not result:
        return []
    boxes = sorted(result, key=lambda item: (min(point[1] for point in item[0]), min(point[0] for point in item[0])))
    return [text for _, text, _ in boxes]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=Path("tests/ocr/sources"))
    parser.add_argument("--out", type=Path, default=Path("tests/ocr"))
    args = parser.parse_args()
    engine = RapidOCR()
    (args.out / "pages").mkdir(parents=True, exist_ok=True)
    (args.out / "alignment").mkdir(parents=True, exist_ok=True)
    for source in sorted(args.sources.glob("*.txt")):
        for font in render.FONTS:
            source_lines, read_lines, rows, starts = [], [], [], []
            totals = {"equal": 0, "replaced": 0, "deleted": 0, "inserted": 0, "han_confusions": 0}
            for number, paragraph in enumerate(paragraphs(source)):
                lines = render.wrap(paragraph, COLUMN_WIDTH)
                starts.append(len(read_lines) + 1)
                for start in range(0, len(lines), LINES_PER_BLOCK):
                    block = lines[start : start + LINES_PER_BLOCK]
                    seed = zlib.crc32(f"{source.name}/{font}/{number}/{start}".encode())
                    image = render.render_block(block, font, FONT_SIZE, seed)
                    read = read_block(engine, image)
                    # Aligned block by block: the engine may split or merge lines.
                    wanted, got = "".join(block), "".join(read)
                    confusions, counts = align.align(wanted, got)
                    for key, value in counts.items():
                        totals[key] += value
                    first_line = len(source_lines)
                    for offset, was, seen in confusions:
                        # Back to the line and column of the source block.
                        line, column = divmod(offset, COLUMN_WIDTH)
                        rows.append(f"{first_line + line + 1}\t{column + 1}\t{was}\t{seen}")
                    totals["han_confusions"] += len(confusions)
                    source_lines.extend(block)
                    read_lines.extend(read)
            stem = f"{source.stem}.{font}"
            (args.out / "pages" / f"{stem}.source.txt").write_text("\n".join(source_lines) + "\n", encoding="utf-8")
            (args.out / "pages" / f"{stem}.ocr.txt").write_text("\n".join(read_lines) + "\n", encoding="utf-8")
            (args.out / "pages" / f"{stem}.paragraphs.txt").write_text("\n".join(map(str, starts)) + "\n", encoding="utf-8")
            header = "# " + " ".join(f"{key}={value}" for key, value in totals.items())
            (args.out / "alignment" / f"{stem}.tsv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
            print(f"{stem}: {totals}")


if __name__ == "__main__":
    main()
