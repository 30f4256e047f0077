"""How often legacy-encoded text is decoded right: our detector against charset-normalizer alone.

The texts are this project's own: the 24 news articles of ``tests/eval/articles`` (whole, their
first 300 and first 120 characters) and the gold cases of ``tests/data/sentences`` (one or two
sentences each), in en, de, fr, es, pl, ru, uk. Each is encoded in the legacy encodings its
language was written in (Windows-125x, ISO-8859-x, KOI8-R/U); a decoding counts when it gives
the text back exactly. Texts that stay ASCII (so also UTF-8) are left out.

Usage::

    python benchmarks/eval_encodings.py            # the tally
    python benchmarks/eval_encodings.py --misses   # also each text decoded wrong
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translate_pipeline.inputs.encoding import decode_text  # noqa: E402

ENCODINGS = {
    "en": ["cp1252"], "de": ["cp1252", "iso-8859-1", "iso-8859-15"],
    "fr": ["cp1252", "iso-8859-1"], "es": ["cp1252", "iso-8859-1"],
    "pl": ["iso-8859-2", "cp1250"], "ru": ["cp1251", "koi8-r", "iso-8859-5"],
    "uk": ["cp1251", "koi8-u"],
}


def texts() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((ROOT / "tests" / "eval" / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for size in (None, 300, 120):
            found.append((path.name[:2], f"{path.name}@{size or 'all'}", text[:size]))
    for path in sorted((ROOT / "tests" / "data" / "sentences").glob("*.txt")):
        cases = re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
        for i, case in enumerate(c for c in cases if c.strip() and not c.startswith("#")):
            found.append((path.stem, f"{path.stem}-case{i}", case))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="show each text decoded wrong")
    args = parser.parse_args()
    from charset_normalizer import from_bytes

    total = ours = theirs = 0
    spent = [0.0, 0.0]
    for lang, name, text in texts():
        for encoding in ENCODINGS[lang]:
            try:
                data = text.encode(encoding)
                data.decode("utf-8")
                continue  # ASCII: nothing to detect
            except UnicodeEncodeError:
                continue  # a character this encoding lacks
            except UnicodeDecodeError:
                pass
            total += 1
            started = time.perf_counter()
            got, chosen = decode_text(data, name)
            spent[0] += time.perf_counter() - started
            ours += got == text
            if got != text and args.misses:
                print(f"miss: {name} in {encoding}, read as {chosen}")
            started = time.perf_counter()
            best = from_bytes(data).best()
            spent[1] += time.perf_counter() - started
            theirs += best is not None and str(best) == text
    print(f"{total} texts in legacy encodings, decoded exactly:")
    print(f"  translate_pipeline.encoding: {ours} ({ours / total:.1%}), "
          f"{spent[0] / total * 1000:.1f} ms each")
    print(f"  charset-normalizer alone:    {theirs} ({theirs / total:.1%}), "
          f"{spent[1] / total * 1000:.1f} ms each")


if __name__ == "__main__":
    main()
