"""Deliberately odd or damaged data, mimicking the quirks of the real Kaggle files.

Quirky movies are chosen among "plain" movies only, so that the movies placed on
purpose (collections, foreign films, repeated titles) keep the facts they were
placed for.  A quirk either changes the movie model (empty title, 338-minute runtime,
actor listed twice...) or damages the rows written for it (non-integer id, record
split in two, duplicate and orphan rows...).
"""

from .draws import credit_id
from .movies import cast_entry
from .records import fmt_pop, movie_cells
from .vocabulary import OTHER_FIXED_TITLES


# --------------------------------------------------------------------------------------
# which movies get which quirk
# --------------------------------------------------------------------------------------

class _Picker:
    """Draws distinct plain movies, so that no movie carries two quirks."""

    def __init__(self, rng, movies):
        self.rng = rng
        self.movies = movies
        self.used = set()     # file positions of movies already carrying a quirk

    def __call__(self, pred=lambda m: True, n=1, region=None):
        lo, hi = region if region else (0, len(self.movies))
        cand = [m for m in self.movies[lo:hi]
                if m["pos"] not in self.used and _plain(m) and pred(m)]
        chosen = self.rng.sample(cand, n)
        chosen.sort(key=lambda m: m["pos"])
        for m in chosen:
            self.used.add(m["pos"])
        return chosen


def _plain(m):
    return (m["lang"] == "en" and not m.get("collection") and m["title"] not in
            ("Cinderella", "Titanic", "The Avengers") and
            m["title"] not in [t for t, _ in OTHER_FIXED_TITLES])


def choose_quirk_movies(rng, movies):
    """Quirk name -> the movies (in file order) that carry it."""
    pick = _Picker(rng, movies)
    # A duplicate row goes somewhere after its original: originals in the first half
    # leave room for it.
    half = len(movies) // 2
    Q = {}
    Q["garbage_id_abc"] = pick()
    Q["garbage_budget_lots"] = pick()
    Q["garbage_genres_unparsable"] = pick(lambda m: len(m["genres"]) > 0)
    Q["missing_release_date"] = pick(n=3)
    Q["missing_title"] = pick(n=2)
    Q["overview_embedded_newline"] = pick(n=2)
    Q["broken_record"] = pick(lambda m: "," in m["overview"])
    Q["dup_identical"] = pick(region=(0, half))
    Q["dup_popularity"] = pick(n=2, region=(0, half))
    Q["votes_1999"] = pick()
    Q["votes_2000"] = pick()
    Q["votes_2001"] = pick()
    Q["runtime_empty"] = pick()
    Q["runtime_zero"] = pick()
    Q["runtime_long"] = pick(lambda m: m["theme"] == "war")
    Q["genres_empty"] = pick(n=3)
    Q["all_lists_empty"] = pick()
    Q["char_apostrophe"] = pick(lambda m: m["theme"] == "heist")
    Q["actor_twice_same_cast"] = pick(lambda m: m["theme"] == "heist")
    Q["budget0_revenue_pos"] = pick()
    Q["budget_rev_pos"] = pick()
    Q["credits_cast_empty"] = pick(n=2)
    Q["credits_crew_empty"] = pick(n=2)
    Q["credits_both_empty"] = pick()
    Q["credits_cast_unparsable"] = pick()
    Q["credits_dup"] = pick(n=2, region=(0, half))
    Q["keywords_dup"] = pick(lambda m: m["keywords"] is not None and len(m["keywords"]) > 0,
                             n=2, region=(0, half))
    Q["status_rumored"] = pick(n=2)
    Q["status_post_production"] = pick()
    return Q


# --------------------------------------------------------------------------------------
# quirks in the movie model
# --------------------------------------------------------------------------------------

# Overview authors, in the real files' "- Written by" style; the broken record gets the
# first, the two overviews with an embedded newline the next two.
OVERVIEW_WRITERS = ["Ørnås", "Nell Fairweather", "Abel Moravec", "Greer Lund"]


def damage_model(rng, Q, people):
    _remove_dates_and_titles(Q)
    _add_written_by_to_overviews(Q)
    _pin_vote_thresholds(rng, Q)
    _set_odd_values(Q)
    _odd_casts(rng, Q, people)
    _empty_credits(Q)


def _remove_dates_and_titles(Q):
    for m in Q["missing_release_date"]:
        m["date"] = None
    for m in Q["missing_title"]:
        m["title"] = ""


def _add_written_by_to_overviews(Q):
    for m, w in zip(Q["overview_embedded_newline"], OVERVIEW_WRITERS[1:3]):
        m["overview"] = m["overview"] + "\n - Written by " + w
    # The broken record is written as two CSV records, split where this suffix starts.
    bm = Q["broken_record"][0]
    bm["overview_first"] = bm["overview"]
    bm["overview_second"] = " - Written by " + OVERVIEW_WRITERS[0]
    bm["overview"] = bm["overview_first"] + bm["overview_second"]


def _pin_vote_thresholds(rng, Q):
    """Vote counts right at the 2000-vote boundary, popular enough to be noticed."""
    for m, vc in ((Q["votes_1999"][0], 1999), (Q["votes_2000"][0], 2000),
                  (Q["votes_2001"][0], 2001)):
        m["vote_count"] = vc
        m["vote_average"] = round(rng.uniform(5.5, 8.2), 1)
        m["popularity"] = round(rng.uniform(8.0, 20.0), 6)


def _set_odd_values(Q):
    Q["runtime_empty"][0]["runtime"] = None
    Q["runtime_zero"][0]["runtime"] = 0.0
    Q["runtime_long"][0]["runtime"] = 338.0
    for m in Q["genres_empty"]:
        m["genres"] = []
    am = Q["all_lists_empty"][0]
    am["genres"], am["companies"], am["countries"], am["spoken"] = [], [], [], []
    m = Q["budget0_revenue_pos"][0]
    m["budget"], m["revenue"] = 0, 2750000
    m = Q["budget_rev_pos"][0]
    m["budget"], m["revenue"] = 12000000, 48000000
    for m in Q["status_rumored"]:
        m["status"] = "Rumored"
    Q["status_post_production"][0]["status"] = "Post Production"


def _odd_casts(rng, Q, people):
    declan = people.actor("Declan O'Shea")
    m = Q["char_apostrophe"][0]
    m["cast"][0]["character"] = "Thomas 'Tank' Whitaker"
    m = Q["actor_twice_same_cast"][0]
    _ensure_in_cast(rng, m, declan, "Frankie Doyle")
    cid = max(c["cast_id"] for c in m["cast"]) + 1
    m["cast"].append(cast_entry(rng, declan, "Mickey Doyle", len(m["cast"]), cid))
    # guarantee a cast entry with gender 0 and profile_path None in a kept plain movie
    m = Q["budget_rev_pos"][0]
    _ensure_in_cast(rng, m, people.actor("Robin Ashdown"), "Night Porter")


def _ensure_in_cast(rng, m, p, character):
    if not any(c["id"] == p.id for c in m["cast"]):
        cid = max(c["cast_id"] for c in m["cast"]) + 1
        m["cast"].append(cast_entry(rng, p, character, len(m["cast"]), cid))


def _empty_credits(Q):
    for m in Q["credits_cast_empty"]:
        m["cast"] = []
    for m in Q["credits_crew_empty"]:
        m["crew"] = []
    Q["credits_both_empty"][0]["cast"] = []
    Q["credits_both_empty"][0]["crew"] = []


# --------------------------------------------------------------------------------------
# quirks in the written rows
# --------------------------------------------------------------------------------------

def damage_movie_records(records, Q):
    """Garbage cells and the broken record; each record notes why a cleaner rejects it."""
    bm = Q["broken_record"][0]
    for rec in records:
        m = rec["movie"]
        cells = rec["rows"][0]
        if m is Q["garbage_id_abc"][0]:
            cells[5] = "abc"
            rec["id"], rec["reject"] = None, "non_integer_id"
        elif m is Q["garbage_budget_lots"][0]:
            cells[2] = "lots"
            rec["reject"] = "garbage_budget"
        elif m is Q["garbage_genres_unparsable"][0]:
            cells[3] = "[{'id': 28, 'name': 'Action'"
            rec["reject"] = "unparsable_nested_cell"
        elif m["date"] is None:
            rec["reject"] = "missing_release_date"
        elif m is bm:
            first = cells[:9] + [bm["overview_first"]]
            second = [bm["overview_second"]] + cells[10:]
            assert len(first) == 10 and len(second) == 15
            rec["rows"] = [first, second]
            rec["kind"] = "broken"


def add_duplicate_movie_rows(rng, records, Q):
    for m in Q["dup_identical"]:
        cells = movie_cells(m)
        _insert_after_movie(rng, records, m,
                            dict(movie=m, id=m["id"], reject=None, kind="dup", rows=[cells]))
    for m in Q["dup_popularity"]:
        cells = movie_cells(m)
        while True:
            p2 = round(m["popularity"] * rng.uniform(0.5, 1.6) + 0.01, 6)
            if fmt_pop(p2) != cells[10]:
                break
        cells[10] = fmt_pop(p2)
        _insert_after_movie(rng, records, m,
                            dict(movie=m, id=m["id"], reject=None, kind="dup", rows=[cells]))


def damage_credit_records(credit_recs, Q):
    """Cut the cast cell short in the middle of an entry, leaving an unparsable literal."""
    um = Q["credits_cast_unparsable"][0]
    rec = next(r for r in credit_recs if r["movie"] is um)
    cast_cell = rec["rows"][0][0]
    rec["rows"][0][0] = cast_cell[: cast_cell.index("'credit_id'", 40)] + "'credit_id': '5"
    rec["reject"] = "unparsable_nested_cell"


def add_orphan_credits(rng, credit_recs, movies, orphan_id):
    """A credits row for a movie id that movies_metadata.csv does not have."""
    donor = movies[rng.randrange(len(movies))]
    orphan_cast = [dict(c, credit_id=credit_id(rng)) for c in donor["cast"][:4]]
    orphan_crew = [dict(c, credit_id=credit_id(rng)) for c in donor["crew"][:1]]
    credit_recs.insert(rng.randint(10, len(credit_recs) - 10),
                       dict(id=orphan_id, movie=None, reject=None, kind="orphan",
                            rows=[[repr(orphan_cast), repr(orphan_crew), str(orphan_id)]]))


def add_orphan_keywords(rng, kw_recs, keyword_ids, orphan_id):
    """A keywords row for a movie id that movies_metadata.csv does not have."""
    orphan_kws = sorted(({"id": keyword_ids[n], "name": n}
                         for n in ["heist", "money", "revenge"]), key=lambda d: d["id"])
    kw_recs.insert(rng.randint(10, len(kw_recs) - 10),
                   dict(id=orphan_id, movie=None, reject=None, kind="orphan",
                        rows=[[str(orphan_id), repr(orphan_kws)]]))


def add_duplicate_rows(rng, recs, dup_movies):
    """Repeat each movie's row identically, somewhere after the original."""
    for m in dup_movies:
        src = next(r for r in recs if r["movie"] is m)
        _insert_after_movie(rng, recs, m,
                            dict(id=m["id"], movie=m, reject=None, kind="dup",
                                 rows=[list(src["rows"][0])]))


def _insert_after_movie(rng, recs, m, new_rec, min_gap=5):
    idx = next(i for i, r in enumerate(recs) if r["movie"] is m)
    pos = rng.randint(min(idx + min_gap, len(recs)), len(recs))
    recs.insert(pos, new_rec)
