"""The reference cleaning: which rows a correct ETL keeps, drops or rejects.

Worked out from the records' own notes (reject reason, id, file order), never by
re-reading the written files.
"""

from dataclasses import dataclass


@dataclass
class Cleaned:
    kept_movies: list            # movie dicts, in file order
    kept_by_id: dict
    dropped_dups: list           # later movie records of an id already kept
    kept_credits: dict           # movie id -> credits record
    credits_rejected: list
    credits_dup_dropped: list
    credits_no_movie: list
    kept_kw: dict                # movie id -> keywords record
    kw_dup_dropped: list
    kw_no_movie: list


def clean(sample):
    kept_movies, dropped_dups = _keep_movies(sample.movie_records)
    kept_by_id = {m["id"]: m for m in kept_movies}
    kept_credits, credits_rejected, credits_dup_dropped, credits_no_movie = _keep_rows(
        sample.credit_records, kept_by_id)
    kept_kw, kw_rejected, kw_dup_dropped, kw_no_movie = _keep_rows(
        sample.keyword_records, kept_by_id)
    assert not kw_rejected
    return Cleaned(kept_movies, kept_by_id, dropped_dups, kept_credits, credits_rejected,
                   credits_dup_dropped, credits_no_movie, kept_kw, kw_dup_dropped, kw_no_movie)


def _keep_movies(records):
    """Skip rejected records; keep the FIRST record of each id, as the real ETL must."""
    kept_movies = []
    kept_ids = set()
    dropped_dups = []
    for r in records:
        if r["reject"]:
            continue
        if r["id"] in kept_ids:
            dropped_dups.append(r)
            continue
        kept_ids.add(r["id"])
        kept_movies.append(r["movie"])
    return kept_movies, dropped_dups


def _keep_rows(recs, kept_by_id):
    """credits/keywords: reject, then drop later duplicates, then drop ids with no kept movie."""
    kept, rejected, dup_dropped, no_movie = {}, [], [], []
    for r in recs:
        if r["reject"]:
            rejected.append(r)
            continue
        if r["id"] in kept:
            dup_dropped.append(r)
            continue
        if r["id"] not in kept_by_id:
            no_movie.append(r)
            continue
        kept[r["id"]] = r
    return kept, rejected, dup_dropped, no_movie
