"""The real pair's corpus: fortunes from Debian's `fortunes` package as a CSV (id, label, text) for realpair/.

Every fortune file under DIR (sorted by name; the label is the file's name), whitespace folded, 30-400 characters,
duplicates dropped, shuffled with seed 7, the first ROWS kept. Deterministic for one package version
(fortune-mod 1.99.1 in Debian 12 has 13,242 such fortunes).
Usage: python3 fortunes_corpus.py DIR ROWS OUT.csv
"""
import csv
import os
import random
import re
import sys


def main(directory, rows, out):
    seen, records = set(), []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if "." in name or os.path.islink(path) or not os.path.isfile(path):
            continue  # .dat indexes and .u8 links
        with open(path, encoding="utf-8", errors="replace") as f:
            for text in f.read().split("\n%\n"):
                text = re.sub(r"\s+", " ", text).strip()
                if 30 <= len(text) <= 400 and text not in seen:
                    seen.add(text)
                    records.append((name, text))
    if len(records) < rows:
        sys.exit(f"{directory}: {len(records)} fortunes of 30-400 characters, {rows} asked for")
    random.Random(7).shuffle(records)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "text"])
        for i, (label, text) in enumerate(records[:rows]):
            w.writerow([f"f{i:05d}", label, text])
    print(f"{out}: {rows} fortunes from {directory}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
