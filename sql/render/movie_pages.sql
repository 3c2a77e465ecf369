-- Everything a movie page shows, and nothing it does not (a page is rendered again
-- when anything it is given changes), one row per movie. array_agg keeps no order: each
-- list carries its sort keys and src/stages/site/movies.rs puts it in order. A view:
-- the movie pages query it one range of movie ids at a time, so that only that range's
-- lists are held (src/stages/site/mod.rs, page_chunks).

CREATE VIEW page_movies AS
SELECT
    m.id, m.title, m.release_date, m.release_year, m.budget, m.revenue, m."return" AS return_ratio,
    m.runtime, m.popularity, m.vote_average, m.vote_count, m.original_language, m.status,
    m.tagline, m.overview, m.collection_id, m.collection_name,
    g.genres, co.companies, cn.countries, l.languages, d.directors, c.top_cast, c.cast_size, r.recommendations
FROM movies m
LEFT JOIN (SELECT movie_id, array_agg(name) AS genres FROM movie_genres GROUP BY movie_id) g ON g.movie_id = m.id
LEFT JOIN (SELECT movie_id, array_agg(name) AS companies FROM movie_companies GROUP BY movie_id) co ON co.movie_id = m.id
LEFT JOIN (SELECT movie_id, array_agg(name) AS countries FROM movie_countries GROUP BY movie_id) cn ON cn.movie_id = m.id
LEFT JOIN (SELECT movie_id, array_agg(name) AS languages FROM movie_languages GROUP BY movie_id) l ON l.movie_id = m.id
LEFT JOIN (
    SELECT movie_id, array_agg(named_struct('person_id', person_id, 'name', name)) AS directors
    FROM (SELECT DISTINCT movie_id, person_id, name FROM crew WHERE job = 'Director')
    GROUP BY movie_id
) d ON d.movie_id = m.id
LEFT JOIN (
    -- Pages list the top-billed @movie_page_cast; the full cast is in cast.parquet.
    SELECT movie_id,
           array_agg(named_struct('billing', billing, 'person_id', person_id, 'name', name, 'character', character)) FILTER (WHERE billing <= @movie_page_cast) AS top_cast,
           COUNT(*) AS cast_size
    FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY movie_id ORDER BY "order", person_id, character) AS billing FROM "cast")
    GROUP BY movie_id
) c ON c.movie_id = m.id
LEFT JOIN (
    SELECT r.movie_id, array_agg(named_struct('rank', r.rank, 'id', r.recommended_id, 'title', m2.title, 'year', m2.release_year, 'reasons', r.reasons)) AS recommendations
    FROM recommendations r JOIN movies m2 ON m2.id = r.recommended_id
    GROUP BY r.movie_id
) r ON r.movie_id = m.id;
-- No ORDER BY: each row is one page, whatever the order, and sorting rows that carry
-- whole lists is what failed for the person pages at 8x the data.

-- Other members of each collection, for the movie pages.
CREATE TABLE page_collections AS
SELECT collection_id, array_agg(named_struct('date', release_date, 'id', id, 'title', title, 'year', release_year)) AS members
FROM movies
WHERE collection_id IS NOT NULL
GROUP BY collection_id
ORDER BY collection_id;
