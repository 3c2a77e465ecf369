"""The MovieLens side of the dataset: links.csv ids and ratings_small.csv ratings.

MovieLens numbers movies 1..n itself (movieId); links.csv maps those to IMDb and TMDB
ids, and ratings refer to movieIds only.
"""

import calendar

from .draws import weighted_sample
from .themes import THEME_ORDER

N_USERS = 60
FIRST_RATING = calendar.timegm((1996, 3, 29, 0, 0, 0))
LAST_RATING = calendar.timegm((2016, 10, 16, 0, 0, 0))
# Users who started rating before this date gave whole stars only, as in MovieLens.
HALF_STARS_FROM = calendar.timegm((2003, 2, 18, 0, 0, 0))


def build_links(rng, seen_ids, movie_by_id, movielens_only_imdb):
    """One link per movie id, plus 3 MovieLens-only titles (no tmdbId) among them."""
    link_rows = []      # dict(ml, imdb, tmdb|None, movie)
    no_tmdb_positions = sorted(rng.sample(range(20, len(seen_ids) - 5), 3))
    ml = 0
    k_extra = 0
    for i, mid in enumerate(seen_ids):
        if k_extra < 3 and i == no_tmdb_positions[k_extra]:
            ml += 1
            link_rows.append(dict(ml=ml, imdb=movielens_only_imdb[k_extra], tmdb=None,
                                  movie=None))
            k_extra += 1
        m = movie_by_id[mid]
        ml += 1
        link_rows.append(dict(ml=ml, imdb=m["imdb"], tmdb=mid, movie=m))
    return link_rows


def build_ratings(rng, link_rows):
    rating_rows = []
    for u in range(1, N_USERS + 1):
        rating_rows += _user_ratings(rng, u, link_rows)
    rating_rows.sort(key=lambda r: (r["user"], r["ml"]))
    return rating_rows


def _user_ratings(rng, user, link_rows):
    """A user prefers one or two themes and rates well-known movies more often."""
    prefs = rng.sample(THEME_ORDER, rng.choice([1, 1, 2]))
    n = rng.randint(28, 76)
    mean = rng.uniform(2.9, 4.1)
    weights = []
    for l in link_rows:
        m = l["movie"]
        if m is None:
            weights.append(0.25)
            continue
        w = 0.15 + (m["vote_count"] / 1000.0) ** 0.8
        w *= 7.0 if m["theme"] in prefs else 1.0
        weights.append(w)
    chosen = weighted_sample(rng, link_rows, weights, n)
    start = rng.randint(FIRST_RATING, LAST_RATING - 86400 * 30)
    span = rng.choice([3600, 86400 * 2, 86400 * 90, 86400 * 600])
    rows = []
    for l in chosen:
        m = l["movie"]
        ts = min(LAST_RATING, start + rng.randint(0, span))
        if m is None:
            val = mean + rng.gauss(0, 0.8)
        else:
            val = (mean + (0.7 if m["theme"] in prefs else -0.4)
                   + (m["vote_average"] - 6.2) * 0.35 + rng.gauss(0, 0.6))
        if start < HALF_STARS_FROM:
            val = float(min(5, max(1, int(round(val)))))
        else:
            val = min(5.0, max(0.5, round(val * 2) / 2.0))
        rows.append(dict(user=user, ml=l["ml"], rating=val, ts=ts, link=l))
    return rows
