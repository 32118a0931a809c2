"""One-off curation helper: add the ``end_investor`` column to entities.csv for a list of ids."""

import csv
import sys
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "src" / "lahar" / "data" / "entities.csv"
IDS = set(sys.argv[1:])
rows = list(csv.DictReader(PATH.open(encoding="utf-8", newline="")))
cols = list(rows[0])
if "end_investor" not in cols:
    cols.insert(cols.index("source_id"), "end_investor")
for r in rows:
    r["end_investor"] = "yes" if r["id"] in IDS else (r.get("end_investor") or "")
with PATH.open("w", encoding="utf-8", newline="") as fh:
    w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
missing = IDS - {r["id"] for r in rows}
print("unknown ids:", sorted(missing))
