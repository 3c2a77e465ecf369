"""The expected facts written to expected.json (and rendered into EXPECTED.md).

Every fact is computed from the in-memory model and the records' own notes, never by
re-reading the CSV files, so a test that reads the files checks something independent.
"""

from .movielens import N_USERS
from .quirk_table import quirk_table
from .stats import is_ascii, kept_stats, release_calendar, ret
from .vocabulary import DAYS_EN, MONTHS_EN

GENERATOR = "tools/make_sample.py (random.Random(42))"

MOVIE_RULES = ["reject non-integer id", "reject garbage (non-integer) budget",
               "reject unparsable nested cell", "reject missing release_date",
               "drop later duplicates of an id (keep first in file order)",
               "repair the broken record into one row (overview = first + second part)"]
CREDIT_RULES = ("reject unparsable cast/crew cell; drop later duplicate ids; drop ids not in "
                "kept movies")
RATING_VALUES = ("0.5..5.0 in steps of 0.5 (users starting before 2003 use "
                 "whole stars only)")


def build_facts(sample, cleaned, files):
    stats = kept_stats(sample.people, cleaned)
    quirks = quirk_table(sample, cleaned, stats)
    movies_file = next(f for f in files if f["name"] == "movies_metadata.csv")
    return dict(
        generator=GENERATOR,
        files=_file_facts(files),
        movies=_movie_facts(sample, cleaned, movies_file),
        credits=_credit_facts(sample, cleaned),
        keywords=_keyword_facts(sample, cleaned),
        links=_link_facts(sample, cleaned),
        ratings=_rating_facts(sample, cleaned),
        kept_movie_aggregates=_aggregates(cleaned, stats),
        quirks=quirks,
    )


def _file_facts(files):
    return {f["name"]: dict(records=f["records"], physical_lines_including_header=
                            f["physical_lines"], bytes=f["bytes"], sha256=f["sha256"],
                            line_ending=f["line_ending"]) for f in files}


def _at(recs):
    return [dict(id=r["id"], line=r["line"]) for r in recs]


def _without_kept_movie(recs):
    return [dict(id=r["id"], line=r["line"],
                 why="not in movies_metadata" if r["movie"] is None else "movie rejected")
            for r in recs]


def _movie_facts(sample, cleaned, movies_file):
    records = sample.movie_records
    return dict(
        physical_records=movies_file["records"],
        logical_records_after_repair=len(records),
        field_counts="24 for every record except the broken one (10 + 15)",
        rejected=[dict(line=r["line"], id_cell=r["rows"][0][5], reason=r["reject"])
                  for r in records if r["reject"]],
        duplicate_rows_dropped=_at(cleaned.dropped_dups),
        kept_distinct_ids=len(cleaned.kept_movies),
        rules=MOVIE_RULES,
    )


def _credit_facts(sample, cleaned):
    return dict(
        records=len(sample.credit_records),
        rejected_unparsable=_at(cleaned.credits_rejected),
        duplicate_rows_dropped=_at(cleaned.credits_dup_dropped),
        ids_without_kept_movie=_without_kept_movie(cleaned.credits_no_movie),
        kept_rows=len(cleaned.kept_credits),
        kept_movies_without_credits=len([m for m in cleaned.kept_movies
                                         if m["id"] not in cleaned.kept_credits]),
        rules=CREDIT_RULES,
    )


def _keyword_facts(sample, cleaned):
    return dict(
        records=len(sample.keyword_records),
        duplicate_rows_dropped=_at(cleaned.kw_dup_dropped),
        ids_without_kept_movie=_without_kept_movie(cleaned.kw_no_movie),
        kept_rows=len(cleaned.kept_kw),
        kept_rows_with_empty_list=sum(1 for r in cleaned.kept_kw.values()
                                      if r["movie"]["keywords"] == []),
    )


def _link_facts(sample, cleaned):
    link_records = sample.link_records
    return dict(records=len(link_records),
                empty_tmdbId=[l["ml"] for l in link_records if l["tmdb"] is None],
                movieId_range=[1, len(link_records)],
                mapping_to_kept_movies=sum(1 for l in link_records
                                           if l["tmdb"] in cleaned.kept_by_id))


def _rating_facts(sample, cleaned):
    rating_rows, link_rows, kept_by_id = sample.rating_rows, sample.link_rows, cleaned.kept_by_id
    assert all(link_rows[i]["ml"] == i + 1 for i in range(len(link_rows)))
    raters = {}
    for r in rating_rows:
        raters.setdefault(r["ml"], set()).add(r["user"])
    ml20 = sorted(ml for ml, users in raters.items() if len(users) >= 20)
    assert len(ml20) >= 40, len(ml20)
    assert len(rating_rows) >= 2700
    kept20 = [ml for ml in ml20 if link_rows[ml - 1]["tmdb"] in kept_by_id]
    ratings_kept = [r for r in rating_rows if r["link"]["tmdb"] is not None
                    and r["link"]["tmdb"] in kept_by_id]
    ratings_no_tmdb = [r for r in rating_rows if r["link"]["tmdb"] is None]
    ratings_rejected_movie = [r for r in rating_rows if r["link"]["tmdb"] is not None
                              and r["link"]["tmdb"] not in kept_by_id]
    return dict(records=len(rating_rows), users=N_USERS,
                distinct_movieIds=len(raters),
                movieIds_with_20plus_raters=len(ml20),
                movieIds_with_20plus_raters_and_kept_movie=len(kept20),
                rows_on_empty_tmdbId=len(ratings_no_tmdb),
                rows_on_rejected_movies=len(ratings_rejected_movie),
                rows_mapping_to_kept_movies=len(ratings_kept),
                rating_values=RATING_VALUES)


def _aggregates(cleaned, stats):
    kept_movies = cleaned.kept_movies
    month_counts, day_counts = release_calendar(kept_movies)
    budget0 = [m for m in kept_movies if m["budget"] == 0]
    budget_rev = [m for m in kept_movies if m["budget"] > 0 and m["revenue"] > 0]
    assert budget_rev
    nonascii_people_movies = [m for m in kept_movies if m["id"] in cleaned.kept_credits and any(
        not is_ascii(c["name"]) for c in m["cast"] + m["crew"])]
    return dict(
        by_month={MONTHS_EN[i]: month_counts[i] for i in range(12)},
        by_weekday={DAYS_EN[i]: day_counts[i] for i in range(7)},
        budget_zero=len(budget0), budget_and_revenue_positive=len(budget_rev),
        budget_zero_revenue_positive=len(stats.budget0_rev),
        vote_count_ge_2000=sum(1 for m in kept_movies if m["vote_count"] >= 2000),
        return_definition="revenue / budget if budget > 0 else 0",
        top_directors=[dict(name=n, id=i, films=c) for c, n, i in stats.dir_counts[:5]],
        top_actors=[dict(name=n, id=i, films=c) for c, n, i in stats.actor_counts[:5]],
        director_harriet_vance_films=_vance_films(cleaned, stats),
        kept_movies_with_non_ascii_people=len(nonascii_people_movies),
    )


def _vance_films(cleaned, stats):
    films = []
    for mid in stats.vance_stats["movie_ids"]:
        m = cleaned.kept_by_id[mid]
        films.append(dict(id=mid, title=m["title"], release_date=m["date"].isoformat(),
                          budget=m["budget"], revenue=m["revenue"],
                          **{"return": round(ret(m), 6)}))
    return films
