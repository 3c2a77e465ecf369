"""Deterministic generator for a small synthetic sample of Kaggle's "The Movies Dataset".

Writes {movies_metadata,credits,keywords,links,ratings_small}.csv plus EXPECTED.md and
expected.json.  Run it through tools/make_sample.py.

Everything (movies, people, companies, collections, overviews) is invented.  Only
generic vocabulary is shared with the real dataset: TMDB genre ids/names, ISO
country/language codes and the native language names used by TMDB.

The file *format* mimics the real files byte-for-byte in style:
  * nested cells are Python repr() literals of lists/dicts (single quotes, strings
    containing an apostrophe come out double-quoted, None/True/False);
  * csv.writer with QUOTE_MINIMAL;
  * line endings: movies_metadata.csv and keywords.csv LF, credits.csv CRLF (like the
    real partial credits file), links.csv and ratings_small.csv CRLF (like the real
    files).

Deterministic: a single random.Random(42), no wall clock, no locale, no iteration
over sets/dict-of-hash order that depends on PYTHONHASHSEED.  Python 3.11 stdlib only.

All the facts in EXPECTED.md / expected.json are computed from the in-memory data
model (the per-record cell lists), not by re-reading the CSV files.  After writing,
the script re-reads the files with the csv module purely as a self-check.

Modules, in pipeline order (generate.py runs them):
  vocabulary, themes  fixed word lists
  draws               helpers drawing from the single random stream
  people              people, companies, keyword ids
  movies              the movie model: metadata, cast, crew, keywords
  quirks              the deliberately odd or damaged movies and rows
  records             the CSV rows of each file
  movielens           links and ratings
  write               CSV serialisation, writing, self-check
  cleaning, stats     what a correct ETL keeps, and statistics over it
  quirk_table         where each quirk landed in the files
  expected            expected.json facts
  expected_md         EXPECTED.md
"""

from .generate import main
