-- One row per movie with everything the recommender reads; src/stages/recommend turns it
-- into a weighted document (see Weights in src/settings.rs) and into the facts its
-- ranker compares. array_agg keeps no order: the cast carries its billing order and
-- is sorted in Rust.

CREATE TABLE recommend_documents AS
SELECT
    m.id,
    COALESCE(m.popularity, 0.0) AS popularity,
    m.overview,
    m.tagline,
    m.collection_name,
    m.release_year,
    m.runtime,
    COALESCE(m.vote_count, 0) AS vote_count,
    COALESCE(m.vote_average, 0.0) AS vote_average,
    g.genres,
    d.directors,
    c.cast_members,
    k.keywords
FROM movies m
LEFT JOIN (SELECT movie_id, array_agg(name) AS genres FROM movie_genres GROUP BY movie_id) g
    ON g.movie_id = m.id
LEFT JOIN (SELECT movie_id, array_agg(name) AS directors FROM crew WHERE job = 'Director' GROUP BY movie_id) d
    ON d.movie_id = m.id
LEFT JOIN (SELECT movie_id, array_agg(named_struct('order', "order", 'person_id', person_id, 'name', name)) AS cast_members FROM "cast" GROUP BY movie_id) c
    ON c.movie_id = m.id
LEFT JOIN (SELECT movie_id, array_agg(name) AS keywords FROM keywords GROUP BY movie_id) k
    ON k.movie_id = m.id
ORDER BY m.id;

-- Who rated what and how, through links.csv (MovieLens movieId -> TMDB id): the
-- collaborative signal. A user's several ratings of one movie count once (the last).
CREATE TABLE movie_ratings AS
SELECT movie_id, user_id, rating, rated_at
FROM (
    SELECT l.tmdb_id AS movie_id, r.user_id, r.rating, COALESCE(r.rated_at, 0) AS rated_at,
           ROW_NUMBER() OVER (PARTITION BY l.tmdb_id, r.user_id ORDER BY COALESCE(r.rated_at, 0) DESC, r.rating DESC) AS nth
    FROM ratings r
    JOIN links l ON l.movielens_id = r.movielens_id
    JOIN movies m ON m.id = l.tmdb_id
)
WHERE nth = 1
ORDER BY movie_id, user_id;
