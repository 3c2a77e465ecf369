-- Browse lists: each facet value's movies, and each genre's movies decade by decade,
-- with every movie's place in each order the pages offer. The pages only put movies
-- where these ranks say; every order ends on the id, so no two movies tie.

-- One row per (facet, label, decade, movie): decade is NULL for a value's whole list
-- and the decade's first year for a genre's movies of that decade.
CREATE TABLE facet_members AS
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

-- The orders (src/stages/site/movie_lists.rs names them): popularity, newest first,
-- title (accents and case folded, as search does), and vote average with the movies
-- of fewer than @browse_min_votes votes after the others (one vote of 10 is no rating).
CREATE TABLE page_browse AS
SELECT
    facet, label, decade, id, title, year, vote_average, vote_count,
    CAST(ROW_NUMBER() OVER (PARTITION BY facet, label, decade
        ORDER BY popularity DESC NULLS LAST, id) AS BIGINT) AS by_popularity,
    CAST(ROW_NUMBER() OVER (PARTITION BY facet, label, decade
        ORDER BY release_date DESC NULLS LAST, id) AS BIGINT) AS by_year,
    CAST(ROW_NUMBER() OVER (PARTITION BY facet, label, decade
        ORDER BY title_key ASC NULLS LAST, title ASC NULLS LAST, id) AS BIGINT) AS by_title,
    CAST(ROW_NUMBER() OVER (PARTITION BY facet, label, decade
        ORDER BY rated DESC NULLS LAST, vote_average DESC NULLS LAST, vote_count DESC NULLS LAST, id) AS BIGINT) AS by_rating
FROM (
    -- The sort keys as plain columns: a window ordered by an expression trips
    -- DataFusion's plan check when several windows share the partitioning.
    SELECT f.facet, f.label, f.decade, m.id, m.title, m.release_year AS year, m.release_date, m.popularity,
           m.vote_average, m.vote_count, norm_key(m.title) AS title_key,
           COALESCE(m.vote_count, 0) >= @browse_min_votes AS rated
    FROM facet_members f
    JOIN movies m ON m.id = f.movie_id
)
ORDER BY facet, label, decade, by_popularity;

-- Only page_browse reads it.
DROP TABLE facet_members;
