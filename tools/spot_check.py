#!/usr/bin/env python3
"""Compares a built output with the raw movies file it came from, independently of
marquee's own code: python's csv module reads the raw file, the bundle gives the answers.

usage: spot_check.py DATA_DIR OUTPUT_DIR [EVERY]
Checks every EVERY-th well-formed movie (default 25) that has an id, a title and a date.
"""
import csv, gzip, json, sys
from pathlib import Path

data, out = Path(sys.argv[1]), Path(sys.argv[2])
every = int(sys.argv[3]) if len(sys.argv) > 3 else 25
csv.field_size_limit(1 << 30)

movies_file = next(p for p in [data / n for n in ("movies_metadata.csv", "movies_metadata.csv.gz", "movies_dataset.csv", "movies_dataset.csv.gz")] if p.exists())
opener = gzip.open if movies_file.suffix == ".gz" else open
with opener(movies_file, "rt", encoding="utf-8", newline="") as f:
    rows = [r for r in csv.DictReader(f) if r.get("id", "").isdigit() and r.get("title") and r.get("release_date") and len(r) == 24]
first = {}
for r in rows:
    first.setdefault(int(r["id"]), r)

with gzip.open(out / "api" / "bundle.json.gz", "rt", encoding="utf-8") as f:
    answers = json.load(f)["answers"]

def by_movie(question):
    return {a["movie_id"]: a for group in answers[question].values() for a in group}

retorno, score, duracion, votos = (by_movie(q) for q in ("retorno", "score_titulo", "peliculas_duracion", "votos_titulo"))
checked = 0
problems = []
for i, (movie_id, r) in enumerate(sorted(first.items())):
    if i % every:
        continue
    if movie_id not in retorno:
        problems.append(f"{movie_id}: missing from the bundle")
        continue
    budget = int(float(r["budget"] or 0))
    revenue = int(float(r["revenue"] or 0))
    expected = {
        "inversion": budget,
        "ganancia": revenue,
        "retorno": revenue / budget if budget > 0 else 0.0,
        "anio": int(r["release_date"][:4]),
        "pelicula": r["title"],
    }
    got = retorno[movie_id]
    for k, v in expected.items():
        if (abs(got[k] - v) > 1e-9 * max(1, abs(v))) if isinstance(v, float) else got[k] != v:
            problems.append(f"{movie_id} retorno.{k}: raw {v!r}, bundle {got[k]!r}")
    if abs(score[movie_id]["popularidad"] - float(r["popularity"])) > 1e-9:
        problems.append(f"{movie_id} popularidad: raw {r['popularity']}, bundle {score[movie_id]['popularidad']}")
    runtime = float(r["runtime"]) if r["runtime"] else None
    if duracion[movie_id]["duracion"] != runtime:
        problems.append(f"{movie_id} duracion: raw {runtime}, bundle {duracion[movie_id]['duracion']}")
    votes = int(float(r["vote_count"]))
    if votes >= 2000 and votos[movie_id]["voto_total"] != votes:
        problems.append(f"{movie_id} voto_total: raw {votes}, bundle {votos[movie_id]['voto_total']}")
    if votes < 2000 and votos[movie_id]["voto_total"] is not None:
        problems.append(f"{movie_id}: {votes} votes must not return a value")
    checked += 1

print(f"spot check: {checked} movies compared with {movies_file.name}, {len(problems)} differences")
for p in problems[:20]:
    print("  " + p)
sys.exit(1 if problems or checked == 0 else 0)
