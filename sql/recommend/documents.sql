-- One row per movie with everything the recommender reads; src/stages/recommend turns it
-- into a weighted document (see Weights there). array_agg keeps no order: the cast
-- carries its billing order and is sorted in Rust.

CREATE TABLE recommend_documents AS
SELECT
    m.id,
    COALESCE(m.popularity, 0.0) AS popularity,
    m.overview,
    m.tagline,
    m.collection_name,
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

-- Who rated what, through links.csv (MovieLens movieId -> TMDB id), for `marquee eval`.
CREATE TABLE movie_raters AS
SELECT l.tmdb_id AS movie_id, r.user_id
FROM ratings r
JOIN links l ON l.movielens_id = r.movielens_id
JOIN movies m ON m.id = l.tmdb_id
GROUP BY l.tmdb_id, r.user_id
ORDER BY movie_id, user_id;
