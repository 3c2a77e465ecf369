-- Everything a movie page shows, one row per movie. Lists are aggregated from rows
-- sorted beforehand (see sql/recommend/documents.sql).

CREATE TABLE page_movies AS
SELECT
    m.id, m.title, m.release_date, m.release_year, m.budget, m.revenue, m."return" AS return_ratio,
    m.runtime, m.popularity, m.vote_average, m.vote_count, m.original_language, m.status,
    m.tagline, m.overview, m.collection_id, m.collection_name,
    g.genres, co.companies, cn.countries, l.languages, d.directors, c.top_cast, c.cast_size, r.recommendations
FROM movies m
LEFT JOIN (SELECT movie_id, array_agg(name) AS genres FROM (SELECT movie_id, name FROM movie_genres ORDER BY movie_id, name) GROUP BY movie_id) g ON g.movie_id = m.id
LEFT JOIN (SELECT movie_id, array_agg(name) AS companies FROM (SELECT movie_id, name FROM movie_companies ORDER BY movie_id, name) GROUP BY movie_id) co ON co.movie_id = m.id
LEFT JOIN (SELECT movie_id, array_agg(name) AS countries FROM (SELECT movie_id, name FROM movie_countries ORDER BY movie_id, name) GROUP BY movie_id) cn ON cn.movie_id = m.id
LEFT JOIN (SELECT movie_id, array_agg(name) AS languages FROM (SELECT movie_id, name FROM movie_languages ORDER BY movie_id, name) GROUP BY movie_id) l ON l.movie_id = m.id
LEFT JOIN (
    SELECT movie_id, array_agg(named_struct('person_id', person_id, 'name', name)) AS directors
    FROM (SELECT DISTINCT movie_id, person_id, name FROM crew WHERE job = 'Director' ORDER BY movie_id, person_id, name)
    GROUP BY movie_id
) d ON d.movie_id = m.id
LEFT JOIN (
    -- Pages list the top-billed 15; the full cast is in cast.parquet.
    SELECT movie_id,
           array_agg(named_struct('person_id', person_id, 'name', name, 'character', character)) FILTER (WHERE billing <= 15) AS top_cast,
           COUNT(*) AS cast_size
    FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY movie_id ORDER BY "order", person_id) AS billing FROM "cast"
        ORDER BY movie_id, "order", person_id
    )
    GROUP BY movie_id
) c ON c.movie_id = m.id
LEFT JOIN (
    SELECT movie_id, array_agg(named_struct('id', recommended_id, 'title', title, 'year', release_year, 'score', score)) AS recommendations
    FROM (
        SELECT r.movie_id, r.recommended_id, m2.title, m2.release_year, r.score
        FROM recommendations r JOIN movies m2 ON m2.id = r.recommended_id
        ORDER BY r.movie_id, r.rank
    )
    GROUP BY movie_id
) r ON r.movie_id = m.id
ORDER BY m.id;

-- Other members of each collection, for the movie pages.
CREATE TABLE page_collections AS
SELECT collection_id, array_agg(named_struct('id', id, 'title', title, 'year', release_year)) AS members
FROM (SELECT collection_id, id, title, release_year FROM movies WHERE collection_id IS NOT NULL ORDER BY collection_id, release_date, id)
GROUP BY collection_id
ORDER BY collection_id;
