"""The movie model: one dict per movie with its metadata, cast, crew and keywords.

This is the clean truth the CSV rows are written from (records.py) and the expected
facts are computed from (expected.py); quirks.py damages a few of these dicts on
purpose before the rows are written.
"""

import datetime as dt
import re
from dataclasses import dataclass

from .draws import credit_id, rand_path, weighted_sample
from .themes import GENERIC_KEYWORDS, THEME_ORDER, THEMES
from .vocabulary import (CHAR_FIRST, CHAR_LAST, COLLECTION_KEYWORD, COLLECTIONS, COMPANY_NAMES,
                         COUNTRY_NAMES, CREW_JOBS, DUP_TITLES, FOREIGN, GENRES, LANG_COMPANY,
                         LANG_COUNTRY, LANG_DIRECTOR, LANG_NAMES, OTHER_FIXED_TITLES,
                         THEME_COMPANIES)

N_MOVIES = 294
MOVIES_PER_THEME = {t: 37 for t in THEME_ORDER} | {"sports": 36, "detective": 36}


@dataclass
class SpareIds:
    """Ids drawn together with the movies' ids, so they can never collide with one."""
    orphan_credits: int          # credits row whose movie does not exist
    orphan_keywords: int         # keywords row whose movie does not exist
    movielens_only_imdb: list    # links rows with an empty tmdbId


# --------------------------------------------------------------------------------------
# which movies exist: titles, themes, languages, collections
# --------------------------------------------------------------------------------------

def plan_movies(rng):
    """Movie specs (theme, title, language, maybe year and collection) and collections."""
    collections, specs = _collection_specs(rng)
    specs += _fixed_specs()
    specs += _generated_specs(rng, specs)
    assert len(specs) == N_MOVIES, len(specs)
    return specs, collections


def _collection_specs(rng):
    collections, specs = [], []
    coll_ids = rng.sample(range(10000, 500000), len(COLLECTIONS))
    for (theme, base, titles, no_backdrop), cid in zip(COLLECTIONS, coll_ids):
        cobj = {"id": cid, "name": base + " Collection", "poster_path": rand_path(rng),
                "backdrop_path": None if no_backdrop else rand_path(rng)}
        collections.append(cobj)
        y = rng.randint(1962, 2004)
        for i, t in enumerate(titles):
            specs.append(dict(theme=theme, title=t, original_title=t, lang="en", year=y,
                              collection=cobj, coll_base=base, coll_index=i))
            y += rng.randint(2, 5)
    return collections, specs


def _fixed_specs():
    specs = []
    for lang, ot, t, theme in FOREIGN:
        specs.append(dict(theme=theme, title=t, original_title=ot, lang=lang, year=None))
    for t, theme, y in DUP_TITLES:
        specs.append(dict(theme=theme, title=t, original_title=t, lang="en", year=y))
    for t, theme in OTHER_FIXED_TITLES:
        specs.append(dict(theme=theme, title=t, original_title=t, lang="en", year=None))
    return specs


def _generated_specs(rng, specs):
    """Fill every theme up to its target count with new, unique English titles."""
    used_titles = set(s["title"] for s in specs)
    new = []
    for theme in THEME_ORDER:
        have = sum(1 for s in specs if s["theme"] == theme)
        T = THEMES[theme]
        for _ in range(MOVIES_PER_THEME[theme] - have):
            while True:
                pat = rng.choice(T["patterns"])
                title = pat.format(A=rng.choice(T["A"]), B=rng.choice(T["B"]),
                                   P=rng.choice(T["places"]))
                if title not in used_titles:
                    used_titles.add(title)
                    break
            new.append(dict(theme=theme, title=title, original_title=title, lang="en",
                            year=None))
    return new


# --------------------------------------------------------------------------------------
# metadata of each movie
# --------------------------------------------------------------------------------------

def build_movies(rng, specs, companies):
    movie_ids = rng.sample(range(1000, 470000), len(specs) + 2)
    imdb_nums = rng.sample(range(35000, 6500000), len(specs) + 3)
    movies = [_movie(rng, s, movie_ids[i], imdb_nums[i], companies)
              for i, s in enumerate(specs)]
    spare = SpareIds(orphan_credits=movie_ids[-2], orphan_keywords=movie_ids[-1],
                     movielens_only_imdb=imdb_nums[len(specs):])
    return movies, spare


def _movie(rng, s, movie_id, imdb_num, companies):
    theme = s["theme"]
    T = THEMES[theme]
    m = dict(s)
    m["id"] = movie_id
    m["imdb"] = imdb_num
    m["date"] = date_in_year(rng, s["year"]) if s.get("year") else rand_date(rng)
    m["genres"] = _genres(rng, s)
    m["companies"] = [{"name": c, "id": companies[c]} for c in _company_names(rng, s)]
    m["countries"] = [{"iso_3166_1": c, "name": COUNTRY_NAMES[c]}
                      for c in _country_codes(rng, s["lang"])]
    m["spoken"] = [{"iso_639_1": l, "name": LANG_NAMES[l]}
                   for l in _spoken_codes(rng, s["lang"])]
    m["overview"] = make_overview(rng, theme)
    m["vote_count"], m["vote_average"], m["popularity"] = _votes(rng)
    m["budget"], m["revenue"] = _money(rng, m["date"].year)
    m["runtime"] = _runtime(rng, theme)
    m["poster"] = "" if rng.random() < 0.015 else rand_path(rng)
    sl = slug(s["title"])
    m["homepage"] = ("http://www.%smovie.com/" % sl) if (sl and rng.random() < 0.17) else ""
    m["tagline"] = rng.choice(T["taglines"]) if rng.random() < 0.45 else ""
    m["status"] = "Released"
    return m


def rand_date(rng, lo_year=1950, hi_year=2017):
    lo = dt.date(lo_year, 1, 1).toordinal()
    hi = dt.date(hi_year, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(lo, hi))


def date_in_year(rng, y):
    lo = dt.date(y, 1, 1).toordinal()
    hi = dt.date(y, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(lo, hi))


def _genres(rng, s):
    theme = s["theme"]
    T = THEMES[theme]
    prim = list(T["primary"])
    if theme == "family" and rng.random() < 0.3:
        prim = [10751]
    extras = [g for g in T["extra"] if g not in prim]
    gs = prim + rng.sample(extras, rng.choices([0, 1, 2], weights=[30, 45, 25])[0])
    if s["title"] == "Cinderella":
        gs = [10751, 14, 10749]
    return [{"id": g, "name": GENRES[g]} for g in gs]


def _company_names(rng, s):
    if rng.random() < 0.13:
        return []
    pool = list(THEME_COMPANIES[s["theme"]])
    if s["lang"] != "en":
        pool = [LANG_COMPANY[s["lang"]]] + pool[:1]
    k = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
    comps = [pool[0]] if s["lang"] != "en" else []
    cand = [c for c in pool + COMPANY_NAMES if c not in comps]
    while len(comps) < k:
        c = cand[0] if rng.random() < 0.6 else rng.choice(cand)
        cand.remove(c)
        comps.append(c)
    return comps


def _country_codes(rng, lang):
    if lang != "en":
        cs = [rng.choice(LANG_COUNTRY[lang])]
        if rng.random() < 0.25:
            cs.append("US")
    else:
        cs = ["US"] if rng.random() < 0.7 else [rng.choice(["GB", "CA", "AU", "IE"])]
        if rng.random() < 0.2:
            extra_c = rng.choice(["GB", "FR", "DE", "CA", "US"])
            if extra_c not in cs:
                cs.append(extra_c)
    if rng.random() < 0.04:
        cs = []
    return cs


def _spoken_codes(rng, lang):
    ls = [lang]
    if rng.random() < 0.2:
        other = rng.choice(["en", "fr", "es", "de", "it", "ja"])
        if other not in ls:
            ls.append(other)
    if rng.random() < 0.03:
        ls = []
    return ls


def _votes(rng):
    """(vote_count, vote_average, popularity); popularity grows with the vote count."""
    if rng.random() < 0.1:
        vc = 0
    else:
        vc = int(round(2.718281828459045 ** rng.uniform(0.0, 9.6)))
        vc = min(vc, 15000)
    # 1999..2001 are reserved for the vote-threshold quirk movies.
    if vc in (1999, 2000, 2001):
        vc += 5
    if vc == 0:
        va = 0.0
    else:
        sd = 1.6 if vc < 20 else 0.8
        va = min(9.5, max(1.0, rng.gauss(6.3, sd)))
    if vc == 0:
        pop = rng.uniform(0.0005, 1.2)
    else:
        pop = min(49.9, (vc / 15000.0) * 38.0 + rng.uniform(0.05, 9.0))
    return vc, round(va, 1), round(pop, 6)


def _money(rng, year):
    """(budget, revenue); 0 means unknown, as in the real file."""
    budget = 0
    if rng.random() < 0.4:
        lo, hi = (5.0, 6.8) if year < 1975 else (5.5, 8.4)
        budget = int(round(10 ** rng.uniform(lo, hi), -3))
    revenue = 0
    if budget > 0 and rng.random() < 0.62:
        revenue = int(budget * 10 ** rng.uniform(-0.8, 1.0))
    elif budget == 0 and rng.random() < 0.08:
        revenue = int(10 ** rng.uniform(5.0, 7.8))
    return budget, revenue


def _runtime(rng, theme):
    mu = 86 if theme == "family" else 112 if theme == "war" else 103
    return float(int(min(195, max(62, rng.gauss(mu, 15)))))


def slug(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def make_overview(rng, theme):
    T = THEMES[theme]
    P = rng.choice(T["places"])
    sents = [fill(rng, rng.choice(T["s1"]), T["slots"], P)]
    n_more = rng.choices([0, 1, 2], weights=[25, 45, 30])[0]
    if n_more >= 1:
        sents.append(fill(rng, rng.choice(T["s2"]), T["slots"], P))
    if n_more >= 2:
        sents.append(rng.choice(T["s3"]))
    return " ".join(sents)


def fill(rng, template, slots, P):
    """Replace each {slot} by a random choice; {Slot} gets a capitalised one, {P} the place."""
    out = template
    for key in re.findall(r"\{(\w+)\}", template):
        if key == "P":
            val = P
        elif key[0].isupper():
            val = rng.choice(slots[key.lower()])
            val = val[0].upper() + val[1:]
        else:
            val = rng.choice(slots[key])
        out = out.replace("{" + key + "}", val, 1)
    return out


# --------------------------------------------------------------------------------------
# cast, crew and keywords
# --------------------------------------------------------------------------------------

def add_credits_and_keywords(rng, movies, people, keyword_ids):
    leads, coll_directors = _collection_regulars(rng, people)
    for m in movies:
        lead = leads.get(m.get("coll_base")) if m.get("collection") else None
        m["cast"] = _cast(rng, m, people.actors, lead)
        m["crew"] = _crew(rng, m, people, coll_directors)
        m["keywords"] = _keywords(rng, m, keyword_ids)


def _collection_regulars(rng, people):
    """Each collection keeps one lead actor and one director across its films."""
    leads, directors = {}, {}
    for theme, base, *_ in COLLECTIONS:
        cand = [a for a in people.actors if a.theme == theme and a.gender != 0]
        leads[base] = rng.choice(cand)
        # Harriet Vance directs two whole collections: the sample's most prolific director.
        directors[base] = (people.director("Harriet Vance") if theme in ("horror", "space")
                           else rng.choice([d for d in people.directors if d.theme == theme]))
    return leads, directors


def _cast(rng, m, actors, lead):
    n_cast = rng.choices(range(3, 13), weights=[14, 16, 16, 14, 11, 9, 7, 5, 4, 4])[0]
    cast_people = _pick_cast(rng, m, actors, n_cast, lead)
    cast = []
    cast_id = rng.randint(1, 20)
    used_chars = set()
    for order, p in enumerate(cast_people):
        while True:
            ch = _character_name(rng, m["theme"])
            if ch not in used_chars:
                used_chars.add(ch)
                break
        cast.append(cast_entry(rng, p, ch, order, cast_id))
        cast_id += rng.choice([1, 1, 1, 2, 3])
    return cast


def _pick_cast(rng, m, actors, n, lead=None):
    """Famous actors and actors of the movie's theme get cast more often."""
    weights = []
    for a in actors:
        w = a.fame * (6.0 if a.theme == m["theme"] else 1.0)
        if a.name == "高橋 雪乃" and m["lang"] == "ja":
            w *= 30
        weights.append(w)
    chosen = weighted_sample(rng, actors, weights, n)
    if lead is not None:
        chosen = [lead] + [a for a in chosen if a is not lead][: n - 1]
    return chosen


def _character_name(rng, theme):
    tpl = rng.choice(THEMES[theme]["roles"])
    return tpl.replace("{F}", rng.choice(CHAR_FIRST)).replace("{L}", rng.choice(CHAR_LAST))


def cast_entry(rng, p, character, order, cast_id):
    return {"cast_id": cast_id, "character": character, "credit_id": credit_id(rng),
            "gender": p.gender, "id": p.id, "name": p.name, "order": order,
            "profile_path": p.profile}


def crew_entry(rng, p, department, job):
    return {"credit_id": credit_id(rng), "department": department, "gender": p.gender,
            "id": p.id, "job": job, "name": p.name, "profile_path": p.profile}


def _crew(rng, m, people, coll_directors):
    dirs = _directors(rng, m, people, coll_directors)
    crew = [crew_entry(rng, d, "Directing", "Director") for d in dirs]
    if rng.random() < 0.25:
        crew.append(crew_entry(rng, dirs[0], "Writing", "Screenplay"))
    n_other = rng.choices([0, 1, 2, 3], weights=[10, 35, 35, 20])[0]
    jobs = rng.sample(CREW_JOBS, n_other)
    others = rng.sample(people.crew, n_other)
    for (dept, job), p in zip(jobs, others):
        crew.append(crew_entry(rng, p, dept, job))
    return crew


def _directors(rng, m, people, coll_directors):
    theme = m["theme"]
    directors = people.directors
    if m.get("collection"):
        dirs = [coll_directors[m["coll_base"]]]
    elif m["lang"] in LANG_DIRECTOR and rng.random() < 0.7:
        dirs = [people.director(LANG_DIRECTOR[m["lang"]])]
    else:
        weights = [d.fame * (5.0 if d.theme == theme else 1.0) for d in directors]
        dirs = weighted_sample(rng, directors, weights, 1)
    if rng.random() < 0.05:
        second = rng.choice([d for d in directors if d is not dirs[0]])
        dirs = dirs + [second]
    return dirs


def _keywords(rng, m, keyword_ids):
    """None: the movie gets no keywords row at all; []: a row with an empty list."""
    if rng.random() < 0.12:
        return None
    elif rng.random() < 0.07:
        return []
    k = rng.randint(2, 7)
    names = rng.sample(THEMES[m["theme"]]["keywords"], min(k, 12))
    if rng.random() < 0.3:
        g = rng.choice(GENERIC_KEYWORDS)
        if g not in names:
            names.append(g)
    if m.get("collection"):
        ck = COLLECTION_KEYWORD[m["coll_base"]]
        names = [ck] + [x for x in names if x != ck]
        if m["coll_index"] > 0 and "sequel" not in names:
            names.append("sequel")
    return sorted(({"id": keyword_ids[n], "name": n} for n in names), key=lambda d: d["id"])


def shuffle_into_file_order(rng, movies):
    rng.shuffle(movies)
    for idx, m in enumerate(movies):
        m["pos"] = idx
