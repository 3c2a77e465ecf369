"""The invented people, production companies and keyword ids every movie draws from."""

from dataclasses import dataclass

from .draws import rand_path
from .themes import GENERIC_KEYWORDS, THEME_ORDER, THEMES
from .vocabulary import (COLLECTION_KEYWORD, COLLECTIONS, COMPANY_NAMES, FIRST_F, FIRST_M,
                         LAST, SPECIAL_ACTORS, SPECIAL_DIRECTORS)

N_ACTORS, N_DIRECTORS, N_CREW = 150, 40, 50


# eq=False: casts and crews are assembled with `is` checks, so people compare by identity.
@dataclass(eq=False)
class Person:
    id: int
    name: str
    gender: int
    profile: str | None
    theme: str
    fame: float


@dataclass
class People:
    actors: list
    directors: list
    crew: list

    def actor(self, name):
        return next(a for a in self.actors if a.name == name)

    def director(self, name):
        return next(d for d in self.directors if d.name == name)


class UniqueNames:
    """Random "First Last" names, never repeating one already used or reserved."""

    def __init__(self, rng, reserved):
        self.rng = rng
        self.used = set(reserved)

    def draw(self, gender):
        rng = self.rng
        while True:
            first = rng.choice(FIRST_F if gender == 1 else FIRST_M if gender == 2
                               else rng.choice([FIRST_F, FIRST_M]))
            name = first + " " + rng.choice(LAST)
            if name not in self.used:
                self.used.add(name)
                return name


def build_people(rng):
    ids = iter(rng.sample(range(1000, 1900000), N_ACTORS + N_DIRECTORS + N_CREW))
    names = UniqueNames(rng, [n for n, *_ in SPECIAL_ACTORS + SPECIAL_DIRECTORS])
    actors = _actors(rng, ids, names)
    directors = _directors(rng, ids, names)
    crew = _crew(rng, ids, names)
    return People(actors, directors, crew)


def _actors(rng, ids, names):
    actors = []
    for name, g, has_prof, theme in SPECIAL_ACTORS:
        # Declan O'Shea is famous enough to be the sample's most prolific actor.
        actors.append(Person(next(ids), name, g, rand_path(rng) if has_prof else None, theme,
                             3.0 if name == "Declan O'Shea" else 1.2))
    while len(actors) < N_ACTORS:
        g = rng.choices([0, 1, 2], weights=[12, 40, 48])[0]
        prof = None if rng.random() < (0.55 if g == 0 else 0.12) else rand_path(rng)
        actors.append(Person(next(ids), names.draw(g), g, prof,
                             THEME_ORDER[len(actors) % len(THEME_ORDER)],
                             round(rng.uniform(0.3, 2.5), 3)))
    return actors


def _directors(rng, ids, names):
    directors = []
    for name, g, theme in SPECIAL_DIRECTORS:
        directors.append(Person(next(ids), name, g, rand_path(rng), theme,
                                1.6 if name == "Harriet Vance" else 1.0))
    while len(directors) < N_DIRECTORS:
        g = rng.choices([0, 1, 2], weights=[5, 30, 65])[0]
        prof = None if rng.random() < 0.3 else rand_path(rng)
        directors.append(Person(next(ids), names.draw(g), g, prof,
                                THEME_ORDER[len(directors) % len(THEME_ORDER)],
                                round(rng.uniform(0.4, 2.0), 3)))
    return directors


def _crew(rng, ids, names):
    crew = []
    while len(crew) < N_CREW:
        g = rng.choices([0, 1, 2], weights=[25, 35, 40])[0]
        prof = None if rng.random() < 0.45 else rand_path(rng)
        crew.append(Person(next(ids), names.draw(g), g, prof,
                           THEME_ORDER[len(crew) % len(THEME_ORDER)], 1.0))
    return crew


def build_companies(rng):
    ids = rng.sample(range(100, 99000), len(COMPANY_NAMES))
    return {name: cid for name, cid in zip(COMPANY_NAMES, ids)}


def build_keyword_ids(rng):
    names = []
    for t in THEME_ORDER:
        for k in THEMES[t]["keywords"]:
            if k not in names:
                names.append(k)
    for k in GENERIC_KEYWORDS + [COLLECTION_KEYWORD[c[1]] for c in COLLECTIONS]:
        if k not in names:
            names.append(k)
    ids = rng.sample(range(200, 240000), len(names))
    return dict(zip(names, ids))
