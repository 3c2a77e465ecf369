-- Browse lists: each facet value's movies, and each genre's movies decade by decade,
-- with what each order the pages offer sorts them by.

-- One row per (facet, label, decade, movie): decade is NULL for a value's whole list
-- and the decade's first year for a genre's movies of that decade. Views, both: the
-- lists are read from them once, row batch by row batch, never held as a table (at 8x
-- the full data page_browse held 0.5 GB through the browse pages).
CREATE VIEW facet_members AS
SELECT DISTINCT facet, label, decade, movie_id FROM (
    SELECT 'year' AS facet, CAST(release_year AS VARCHAR) AS label, CAST(NULL AS BIGINT) AS decade, id AS movie_id
    FROM movies WHERE release_year IS NOT NULL
    UNION ALL SELECT 'decade', CAST(release_year - release_year % 10 AS VARCHAR), CAST(NULL AS BIGINT), id
    FROM movies WHERE release_year IS NOT NULL
    UNION ALL SELECT 'genre', name, CAST(NULL AS BIGINT), movie_id FROM movie_genres WHERE name IS NOT NULL
    UNION ALL SELECT 'genre', g.name, CAST(m.release_year - m.release_year % 10 AS BIGINT), g.movie_id
    FROM movie_genres g JOIN movies m ON m.id = g.movie_id
    WHERE g.name IS NOT NULL AND m.release_year IS NOT NULL
    UNION ALL SELECT 'country', name, CAST(NULL AS BIGINT), movie_id FROM movie_countries WHERE name IS NOT NULL
    UNION ALL SELECT 'company', name, CAST(NULL AS BIGINT), movie_id FROM movie_companies WHERE name IS NOT NULL
    UNION ALL SELECT 'collection', collection_name, CAST(NULL AS BIGINT), id FROM movies WHERE collection_name IS NOT NULL
    UNION ALL SELECT 'language', original_language, CAST(NULL AS BIGINT), id FROM movies WHERE original_language IS NOT NULL
);

-- What the orders sort by (src/stages/site/movie_lists.rs sorts each list by them:
-- popularity, newest first, title with accents and case folded as search does, and
-- vote average with the movies of fewer than @browse_min_votes votes after the others,
-- since one vote of 10 is no rating). Sorting there, list by list, takes a fraction of
-- the time four windows over every list took here.
CREATE VIEW page_browse AS
SELECT f.facet, f.label, f.decade, m.id, m.title, m.release_year AS year, m.release_date, m.popularity,
       m.vote_average, m.vote_count, norm_key(m.title) AS title_key,
       COALESCE(m.vote_count, 0) >= @browse_min_votes AS rated
FROM facet_members f
JOIN movies m ON m.id = f.movie_id;
