"""Statistics over the kept data, shared by the summary facts and the quirk table."""

from dataclasses import dataclass


def ret(m):
    return (m["revenue"] / m["budget"]) if m["budget"] > 0 else 0.0


def is_ascii(s):
    return all(ord(c) < 128 for c in s)


def person_stats(kept_credits, person_id, as_director):
    """A person's kept films (by date), and the sum and mean of their returns."""
    films = []
    for mid, r in kept_credits.items():
        m = r["movie"]
        if as_director:
            hit = any(c["id"] == person_id and c["job"] == "Director" for c in m["crew"])
        else:
            hit = any(c["id"] == person_id for c in m["cast"])
        if hit:
            films.append(m)
    films.sort(key=lambda m: (m["date"], m["id"]))
    rets = [ret(m) for m in films]
    return dict(films=len(films), total_return=round(sum(rets), 6),
                avg_return=round(sum(rets) / len(rets), 6) if rets else 0.0,
                movie_ids=[m["id"] for m in films])


@dataclass
class KeptStats:
    actor_counts: list           # (films, name, id), most films first
    dir_counts: list             # (films, name, id), most films first
    declan: object               # the most prolific actor, placed on purpose
    declan_stats: dict
    declan_naive_entries: int    # his cast entries, counting the double role twice
    vance: object                # the most prolific director, placed on purpose
    vance_stats: dict
    budget0_rev: list            # kept movies with budget 0 but some revenue


def kept_stats(people, cleaned):
    kept_credits = cleaned.kept_credits
    actor_counts = _film_counts(kept_credits, people.actors, as_director=False)
    dir_counts = _film_counts(kept_credits, people.directors, as_director=True)
    declan = people.actor("Declan O'Shea")
    declan_stats = person_stats(kept_credits, declan.id, False)
    declan_naive_entries = sum(sum(1 for c in r["movie"]["cast"] if c["id"] == declan.id)
                               for r in kept_credits.values())
    vance = people.director("Harriet Vance")
    vance_stats = person_stats(kept_credits, vance.id, True)
    budget0_rev = [m for m in cleaned.kept_movies if m["budget"] == 0 and m["revenue"] > 0]

    assert actor_counts[0][0] >= 6 and dir_counts[0][0] >= 4
    assert declan_stats["films"] >= 6 and vance_stats["films"] >= 4
    assert budget0_rev
    return KeptStats(actor_counts, dir_counts, declan, declan_stats, declan_naive_entries,
                     vance, vance_stats, budget0_rev)


def _film_counts(kept_credits, persons, as_director):
    counts = []
    for p in persons:
        st = person_stats(kept_credits, p.id, as_director)
        counts.append((st["films"], p.name, p.id))
    counts.sort(key=lambda t: (-t[0], t[1]))
    return counts


def release_calendar(kept_movies):
    """Kept movies per release month (Jan..Dec) and per weekday (Mon..Sun)."""
    month_counts = [0] * 12
    day_counts = [0] * 7
    for m in kept_movies:
        month_counts[m["date"].month - 1] += 1
        day_counts[m["date"].weekday()] += 1
    return month_counts, day_counts
