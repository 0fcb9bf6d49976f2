# Validates Kanwu's built-in glossary (builtin.toml) and checks that every hover test term resolves to an entry.
"""Usage: python3 check_glossary.py [GLOSSARY] [HOVER_TERMS] [--pages FILE ...]

Defaults: builtin.toml next to this script and tests/glossary/hover-terms.txt in the repository.
With --pages, also reports hover terms that do not occur in any of the given pages
(whitespace and line breaks in the pages are ignored when matching).
Exits 1 if any check fails.
"""

import sys
import tomllib
from collections import Counter
from pathlib import Path

CATEGORIES = {
    "organization", "role", "formula", "practice",
    "administrative", "culture", "rural", "epidemic",
}
REQUIRED = ("term", "category", "definition", "english")
KNOWN = set(REQUIRED) | {"aliases", "related"}

HERE = Path(__file__).resolve().parent
DEFAULT_GLOSSARY = HERE / "builtin.toml"
DEFAULT_HOVER = HERE.parents[2] / "tests" / "glossary" / "hover-terms.txt"


def check_glossary(path):
    """Returns (errors, {name: index}, entries)."""
    errors = []
    if not Path(path).read_text(encoding="utf-8").startswith("#"):
        errors.append(f"{path}: first line must be a # comment")
    with open(path, "rb") as f:
        data = tomllib.load(f)
    if set(data) - {"term"}:
        errors.append(f"unexpected top-level keys: {sorted(set(data) - {'term'})}")
    entries = data.get("term", [])
    names = {}  # every term and alias -> index of its entry
    for i, entry in enumerate(entries):
        where = f"entry {i + 1} ({entry.get('term', '?')})"
        for field in REQUIRED:
            value = entry.get(field)
            if not isinstance(value, str) or not value.strip():
                errors.append(f"{where}: missing or empty `{field}`")
        for field in set(entry) - KNOWN:
            errors.append(f"{where}: unknown field `{field}`")
        if entry.get("category") not in CATEGORIES:
            errors.append(f"{where}: category `{entry.get('category')}` is not one of {sorted(CATEGORIES)}")
        for field in ("aliases", "related"):
            value = entry.get(field, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                errors.append(f"{where}: `{field}` must be a list of non-empty strings")
        spellings = [n for n in [entry.get("term")] + list(entry.get("aliases", [])) if isinstance(n, str) and n]
        for name, times in Counter(spellings).items():
            if times > 1:
                errors.append(f"{where}: `{name}` is listed twice")
        for name in dict.fromkeys(spellings):
            if name != name.strip():
                errors.append(f"{where}: `{name}` has surrounding whitespace")
            if name in names:
                errors.append(f"{where}: `{name}` is already used by entry `{entries[names[name]].get('term')}`")
            else:
                names[name] = i
        definition = entry.get("definition")
        if isinstance(definition, str) and definition.count("。") > 3:
            errors.append(f"{where}: definition has more than three sentences")
    terms = {e.get("term") for e in entries}
    for entry in entries:
        for rel in entry.get("related", []):
            if rel not in terms:
                errors.append(f"entry `{entry.get('term')}`: related `{rel}` is not a term")
            if rel == entry.get("term"):
                errors.append(f"entry `{entry.get('term')}`: relates to itself")
    return errors, names, entries


def check_hover(path, names, pages):
    errors, warnings, count = [], [], 0
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("#"):
        errors.append(f"{path}: first line must be a # comment")
    page_text = "".join("".join(p.split()) for p in pages)
    seen = set()
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        count += 1
        if line in seen:
            errors.append(f"{path}:{n}: `{line}` is listed twice")
        seen.add(line)
        if line not in names:
            errors.append(f"{path}:{n}: `{line}` does not resolve to a term or alias")
        if pages and "".join(line.split()) not in page_text:
            warnings.append(f"{path}:{n}: `{line}` does not occur in the given pages")
    return errors, warnings, count


def main(argv):
    pages_files = []
    if "--pages" in argv:
        k = argv.index("--pages")
        pages_files, argv = argv[k + 1:], argv[:k]
    glossary = Path(argv[0]) if argv else DEFAULT_GLOSSARY
    hover = Path(argv[1]) if len(argv) > 1 else DEFAULT_HOVER
    pages = [Path(p).read_text(encoding="utf-8") for p in pages_files]

    errors, names, entries = check_glossary(glossary)
    hover_errors, warnings, hover_count = check_hover(hover, names, pages)
    errors += hover_errors

    per_category = Counter(e.get("category") for e in entries)
    print(f"{glossary.name}: {len(entries)} entries, {len(names)} terms and aliases")
    for category in sorted(CATEGORIES, key=lambda c: (-per_category[c], c)):
        print(f"  {category:<15}{per_category[category]:>4}")
    print(f"{hover.name}: {hover_count} hover terms")
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    print("FAILED" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
