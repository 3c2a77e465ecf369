-- Facets to browse by: each (facet, label) with its movies, most popular first.

CREATE TABLE facet_members AS
SELECT 'year' AS facet, CAST(release_year AS VARCHAR) AS label, id AS movie_id FROM movies
UNION ALL SELECT 'genre', name, movie_id FROM movie_genres WHERE name IS NOT NULL
UNION ALL SELECT 'country', name, movie_id FROM movie_countries WHERE name IS NOT NULL
UNION ALL SELECT 'company', name, movie_id FROM movie_companies WHERE name IS NOT NULL
UNION ALL SELECT 'collection', collection_name, id FROM movies WHERE collection_name IS NOT NULL
UNION ALL SELECT 'language', original_language, id FROM movies WHERE original_language IS NOT NULL
ORDER BY facet, label, movie_id;

CREATE TABLE page_facets AS
SELECT
    f.facet,
    f.label,
    COUNT(DISTINCT f.movie_id) AS movies,
    array_agg(DISTINCT named_struct('id', m.id, 'title', m.title, 'year', m.release_year, 'popularity', m.popularity)) AS members
FROM facet_members f
JOIN movies m ON m.id = f.movie_id
GROUP BY f.facet, f.label
ORDER BY f.facet, f.label;

-- Only page_facets reads it.
DROP TABLE facet_members;
