"""The generator's pipeline, from the random seed to the files in data/sample/.

One random.Random(42) stream feeds every step, and each step consumes it in a fixed
order: reordering any two steps that draw from it changes the whole sample.
"""

import random
from dataclasses import dataclass

from .cleaning import clean
from .expected import build_facts
from .expected_md import render_md
from .movielens import build_links, build_ratings
from .movies import add_credits_and_keywords, build_movies, plan_movies, shuffle_into_file_order
from .people import build_companies, build_keyword_ids, build_people
from .quirks import (add_duplicate_movie_rows, add_duplicate_rows, add_orphan_credits,
                     add_orphan_keywords, choose_quirk_movies, damage_credit_records,
                     damage_model, damage_movie_records)
from .records import (credit_records, distinct_movie_ids, keyword_records, link_records,
                      movie_records, rating_records)
from .write import print_summary, self_check, serialise_all, write_outputs

SEED = 42


@dataclass
class Sample:
    people: object
    collections: list
    movies: list                 # in movies_metadata.csv order
    quirks: dict                 # quirk name -> movies carrying it
    spare_ids: object
    movie_records: list
    credit_records: list
    keyword_records: list
    link_rows: list
    link_records: list
    rating_rows: list
    rating_records: list


def main(out_dir):
    sample = generate(random.Random(SEED))
    files = serialise_all(sample)
    cleaned = clean(sample)
    facts = build_facts(sample, cleaned, files)
    write_outputs(out_dir, files, facts, render_md(facts))
    self_check(out_dir, facts)
    print_summary(files, cleaned.kept_movies)


def generate(rng):
    people = build_people(rng)
    companies = build_companies(rng)
    keyword_ids = build_keyword_ids(rng)
    specs, collections = plan_movies(rng)
    movies, spare_ids = build_movies(rng, specs, companies)
    add_credits_and_keywords(rng, movies, people, keyword_ids)
    shuffle_into_file_order(rng, movies)
    quirks = choose_quirk_movies(rng, movies)
    damage_model(rng, quirks, people)

    movies_csv = movie_records(movies)
    damage_movie_records(movies_csv, quirks)
    add_duplicate_movie_rows(rng, movies_csv, quirks)

    seen_ids = distinct_movie_ids(movies_csv)
    movie_by_id = {m["id"]: m for m in movies}
    credits_csv = credit_records(seen_ids, movie_by_id)
    damage_credit_records(credits_csv, quirks)
    add_orphan_credits(rng, credits_csv, movies, spare_ids.orphan_credits)
    add_duplicate_rows(rng, credits_csv, quirks["credits_dup"])

    keywords_csv = keyword_records(seen_ids, movie_by_id)
    add_orphan_keywords(rng, keywords_csv, keyword_ids, spare_ids.orphan_keywords)
    add_duplicate_rows(rng, keywords_csv, quirks["keywords_dup"])

    link_rows = build_links(rng, seen_ids, movie_by_id, spare_ids.movielens_only_imdb)
    rating_rows = build_ratings(rng, link_rows)
    return Sample(people, collections, movies, quirks, spare_ids, movies_csv, credits_csv,
                  keywords_csv, link_rows, link_records(link_rows), rating_rows,
                  rating_records(rating_rows))
