# Checks the glyph-similarity table's format and measures how well it finds the known confusion pairs of pairs.txt.
"""Usage: python check.py [TABLE] [--pairs pairs.txt] [--k 12] [--rows 8] [--seed N] [--min-recall 0.85]

TABLE defaults to server/kanwu-core/data/glyph-similar.tsv. The script needs only the Python standard library.
For each section of pairs.txt and for all pairs together it reports:
  directed  the share of ordered pairs (a, b) for which b is among a's first K neighbours;
  mutual    the share of pairs found in both directions;
  either    the share of pairs found in at least one direction;
  median    the median rank of b in a's row over the ordered pairs (a pair not in the row counts as ranked past K).
It then lists the pairs that were missed and prints a few random rows for eyeballing.
Exits 1 if the table is malformed, or if --min-recall is given and the directed recall over all pairs is below it.
"""

import argparse
import random
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_TABLE = HERE.parent.parent / "server" / "kanwu-core" / "data" / "glyph-similar.tsv"
FLAGS = set("GFfCSR")
EXPECTED_ROWS = 8105


def load_table(path):
    """Returns ({char: [(neighbour, score, flags), ...]}, [format problems])."""
    table, problems = {}, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        char = fields[0]
        if len(char) != 1:
            problems.append(f"line {number}: the key {char!r} is not one character")
            continue
        if char in table:
            problems.append(f"line {number}: {char} is listed twice")
        row = []
        for item in fields[1:]:
            parts = item.split(":")
            if len(parts) != 3 or len(parts[0]) != 1:
                problems.append(f"line {number}: malformed neighbour {item!r}")
                continue
            neighbour, score, flags = parts
            try:
                value = float(score)
            except ValueError:
                problems.append(f"line {number}: the score {score!r} is not a number")
                continue
            if not 0.0 <= value <= 1.0:
                problems.append(f"line {number}: the score {score} is outside [0,1]")
            if set(flags) - FLAGS:
                problems.append(f"line {number}: unknown flags in {flags!r}")
            if neighbour == char:
                problems.append(f"line {number}: {char} lists itself")
            row.append((neighbour, value, flags))
        if any(row[i][1] < row[i + 1][1] for i in range(len(row) - 1)):
            problems.append(f"line {number}: the neighbours of {char} are not sorted best first")
        table[char] = row
    if len(table) != EXPECTED_ROWS:
        problems.append(f"the table has {len(table)} rows, not {EXPECTED_ROWS}")
    outside = {n for row in table.values() for n, _, _ in row if n not in table}
    if outside:
        problems.append(f"{len(outside)} neighbours are not rows of the table, e.g. {''.join(sorted(outside)[:10])}")
    return table, problems


def load_pairs(path):
    """Returns {section: [(a, b), ...]} from pairs.txt."""
    sections, current = {}, "pairs"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            continue
        a, b = line.split()
        sections.setdefault(current, []).append((a, b))
    return sections


def rank(table, a, b):
    """Returns the 1-based rank of b in a's row, or None if it is not there."""
    for position, (neighbour, _, _) in enumerate(table.get(a, []), 1):
        if neighbour == b:
            return position
    return None


def measure(table, pairs, k):
    """Returns the figures for one list of pairs and the pairs missed in some direction."""
    directed, mutual, either, ranks, missed = 0, 0, 0, [], []
    for a, b in pairs:
        found = []
        for x, y in ((a, b), (b, a)):
            r = rank(table, x, y)
            hit = r is not None and r <= k
            found.append(hit)
            directed += hit
            ranks.append(r if r is not None else k + 1)
        mutual += all(found)
        either += any(found)
        if not all(found):
            missed.append((a, b, rank(table, a, b), rank(table, b, a)))
    n = len(pairs)
    return {
        "pairs": n,
        "directed": directed / (2 * n),
        "mutual": mutual / n,
        "either": either / n,
        "median": statistics.median(ranks),
    }, missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", nargs="?", type=Path, default=DEFAULT_TABLE)
    parser.add_argument("--pairs", type=Path, default=HERE / "pairs.txt")
    parser.add_argument("--k", type=int, default=12)
    parser.add_argument("--rows", type=int, default=8, help="how many random rows to print")
    parser.add_argument("--seed", type=int, default=None, help="the seed for choosing the random rows")
    parser.add_argument("--min-recall", type=float, default=None)
    args = parser.parse_args()

    table, problems = load_table(args.table)
    for problem in problems[:20]:
        print(f"format: {problem}")
    rows = len(table)
    neighbours = sum(len(row) for row in table.values())
    print(f"{args.table}: {rows} rows, {neighbours} neighbours ({neighbours / max(rows, 1):.1f} a row), "
          f"{args.table.stat().st_size} bytes")

    sections = load_pairs(args.pairs)
    unknown = sorted({c for ps in sections.values() for p in ps for c in p if c not in table})
    if unknown:
        print(f"characters of pairs.txt that have no row: {''.join(unknown)}")
    sections["all"] = [p for ps in list(sections.values()) for p in ps]
    print(f"\nrecall at K={args.k}:")
    all_missed = []
    overall = None
    for name, pairs in sections.items():
        figures, missed = measure(table, pairs, args.k)
        print(f"  {name:8s} {figures['pairs']:4d} pairs: directed {figures['directed']:.1%}, "
              f"mutual {figures['mutual']:.1%}, either {figures['either']:.1%}, median rank {figures['median']:g}")
        if name == "all":
            overall = figures
        else:
            all_missed += [(name,) + m for m in missed]
    print("\nmissed in some direction (rank of b in a's row, rank of a in b's row; - = not in the row):")
    for name, a, b, ab, ba in all_missed:
        print(f"  {name:8s} {a}{b}  {ab or '-'} {ba or '-'}")

    chosen = random.Random(args.seed).sample(sorted(table), min(args.rows, rows))
    print("\nrandom rows:")
    for char in chosen:
        print(f"  {char}  " + " ".join(f"{n}{s:.2f}{f and '/' + f}" for n, s, f in table[char]))

    if problems:
        return 1
    if args.min_recall is not None and overall["directed"] < args.min_recall:
        print(f"\ndirected recall {overall['directed']:.1%} is below {args.min_recall:.1%}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
