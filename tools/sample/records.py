"""CSV rows ("records") for each file, in the real files' cell formats.

A record is a dict with `rows` (usually one list of cells; the broken movie record has
two) plus whatever the expected facts need to know about it: the movie it came from,
its id, the reason a cleaner must reject it, its kind (movie, broken, dup, orphan...).
write.serialise() adds the physical line numbers.

Nested cells are Python repr() literals of lists/dicts, as in the real files: single
quotes, strings containing an apostrophe double-quoted, None/True/False.
"""

MOVIE_HEADER = [
    "adult", "belongs_to_collection", "budget", "genres", "homepage", "id", "imdb_id",
    "original_language", "original_title", "overview", "popularity", "poster_path",
    "production_companies", "production_countries", "release_date", "revenue", "runtime",
    "spoken_languages", "status", "tagline", "title", "video", "vote_average", "vote_count",
]
CREDITS_HEADER = ["cast", "crew", "id"]
KEYWORDS_HEADER = ["id", "keywords"]
LINKS_HEADER = ["movieId", "imdbId", "tmdbId"]
RATINGS_HEADER = ["userId", "movieId", "rating", "timestamp"]


def fmt_pop(x):
    s = repr(round(x, 6))
    assert "e" not in s, s
    return s


def movie_cells(m):
    coll = m.get("collection")
    return [
        "False",
        repr(coll) if coll else "",
        str(m["budget"]),
        repr(m["genres"]),
        m["homepage"],
        str(m["id"]),
        "tt%07d" % m["imdb"],
        m["lang"],
        m["original_title"],
        m["overview"],
        fmt_pop(m["popularity"]),
        m["poster"],
        repr(m["companies"]),
        repr(m["countries"]),
        m["date"].isoformat() if m["date"] else "",
        str(m["revenue"]),
        "" if m["runtime"] is None else "%.1f" % m["runtime"],
        repr(m["spoken"]),
        m["status"],
        m["tagline"],
        m["title"],
        "False",
        "%.1f" % m["vote_average"],
        str(m["vote_count"]),
    ]


def movie_records(movies):
    return [dict(movie=m, id=m["id"], reject=None, kind="movie", rows=[movie_cells(m)])
            for m in movies]


def distinct_movie_ids(records):
    """Integer ids of movies_metadata.csv, in order of first appearance.

    credits, keywords and links get a row for each of them, rejected movies included,
    so that those rows become orphans once the movies are cleaned.
    """
    seen_ids = []
    for r in records:
        if r["id"] is not None and r["id"] not in seen_ids:
            seen_ids.append(r["id"])
    return seen_ids


def credit_records(seen_ids, movie_by_id):
    recs = []
    for mid in seen_ids:
        m = movie_by_id[mid]
        recs.append(dict(id=mid, movie=m, reject=None, kind="credits",
                         rows=[[repr(m["cast"]), repr(m["crew"]), str(mid)]]))
    return recs


def keyword_records(seen_ids, movie_by_id):
    recs = []
    for mid in seen_ids:
        m = movie_by_id[mid]
        if m["keywords"] is None:
            continue
        recs.append(dict(id=mid, movie=m, reject=None, kind="keywords",
                         rows=[[str(mid), repr(m["keywords"])]]))
    return recs


def link_records(link_rows):
    return [dict(rows=[[str(l["ml"]), "%07d" % l["imdb"],
                        "" if l["tmdb"] is None else str(l["tmdb"])]], **l)
            for l in link_rows]


def rating_records(rating_rows):
    return [dict(rows=[[str(r["user"]), str(r["ml"]), "%.1f" % r["rating"],
                        str(r["ts"])]], **r) for r in rating_rows]
