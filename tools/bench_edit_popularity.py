"""make bench: a copy of the movies file with one movie's popularity changed.

usage: bench_edit_popularity.py DATA_DIR OUT_DIR (OUT_DIR holds links to DATA_DIR's files;
the movies file is replaced by an edited copy, byte for byte the same elsewhere).
"""
import csv
import gzip
import io
import os
import sys

data, out = sys.argv[1], sys.argv[2]
name = next(n for n in ("movies_metadata.csv.gz", "movies_metadata.csv") if os.path.exists(os.path.join(data, n)))
opener = gzip.open if name.endswith(".gz") else open
raw = opener(os.path.join(data, name), "rb").read()
text = raw.decode("utf-8")
reader = csv.reader(io.StringIO(text, newline=""))
header = next(reader)
pop, ident = header.index("popularity"), header.index("id")
# Toy Story (id 862) when present, a popular movie on many pages; otherwise the first
# movie whose popularity is written once in the file.
rows = [r for r in reader if len(r) == len(header) and r[pop] and r[ident].isdigit()]
rows.sort(key=lambda r: r[ident] != "862")
row = next((r for r in rows if text.count(f",{r[pop]},") == 1), None)
if row is None:
    sys.exit("bench_edit_popularity: no movie with a unique popularity value")
old = f",{row[pop]},"
if text.count(old) != 1:
    sys.exit(f"bench_edit_popularity: {old!r} is not unique in {name}")
edit = text.index(old)
text = text[:edit] + f",{float(row[pop]) + 1.0:.6f}," + text[edit + len(old):]
target = os.path.join(out, name)
if os.path.islink(target):
    os.remove(target)
with opener(target, "wb") as f:
    f.write(text.encode("utf-8"))
print(f"bench: movie {row[ident]} popularity {row[pop]} -> {float(row[pop]) + 1.0:.6f} in {target}")
