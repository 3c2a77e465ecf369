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
-- collaborative signal, read by Rust as a stream (a view: the full ratings.csv has 26
-- million rows, and they are not kept twice). A user's several ratings of one movie
-- count once (the last): that can only happen where links.csv gives one TMDB id to
-- several MovieLens ids, so only those ratings go through the window that picks it.
CREATE VIEW linked_ratings AS
SELECT l.tmdb_id AS movie_id, r.user_id, r.rating, COALESCE(r.rated_at, 0) AS rated_at, l.shared
FROM ratings r
JOIN (
    SELECT movielens_id, tmdb_id, COUNT(*) OVER (PARTITION BY tmdb_id) > 1 AS shared
    FROM links
    WHERE tmdb_id IN (SELECT id FROM movies)
) l ON l.movielens_id = r.movielens_id;

CREATE VIEW once_rated AS
SELECT movie_id, user_id, rating, rated_at FROM linked_ratings WHERE NOT shared
UNION ALL
SELECT movie_id, user_id, rating, rated_at
FROM (
    SELECT movie_id, user_id, rating, rated_at,
           ROW_NUMBER() OVER (PARTITION BY movie_id, user_id ORDER BY rated_at DESC, rating DESC) AS nth
    FROM linked_ratings
    WHERE shared
)
WHERE nth = 1;

-- Each user's history is capped at their @rating_history most recent ratings (ties by
-- movie id): item-item work grows with the square of a history, and a few heavy raters
-- of the full ratings.csv would dominate it. ratings_small's longest history is below
-- the cap, so its lists are what they were without one. Only the users over the cap
-- go through the window that ranks a history.
CREATE VIEW movie_ratings AS
SELECT o.movie_id, o.user_id, o.rating, o.rated_at
FROM once_rated o
JOIN (SELECT user_id FROM once_rated GROUP BY user_id HAVING COUNT(*) <= @rating_history) h ON h.user_id = o.user_id
UNION ALL
SELECT movie_id, user_id, rating, rated_at
FROM (
    SELECT o.movie_id, o.user_id, o.rating, o.rated_at,
           ROW_NUMBER() OVER (PARTITION BY o.user_id ORDER BY o.rated_at DESC, o.movie_id) AS nth
    FROM once_rated o
    JOIN (SELECT user_id FROM once_rated GROUP BY user_id HAVING COUNT(*) > @rating_history) h ON h.user_id = o.user_id
)
WHERE nth <= @rating_history;
