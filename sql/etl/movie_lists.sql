-- The nested movie columns, one row per (movie, entry), in the order the cell lists them.

CREATE TABLE movie_genres AS
SELECT movie_id, entry['id'] AS genre_id, entry['name'] AS name
FROM (SELECT id AS movie_id, unnest(genres_parsed['value']) AS entry FROM kept_movie_rows)
ORDER BY movie_id, genre_id;

CREATE TABLE movie_companies AS
SELECT movie_id, entry['id'] AS company_id, entry['name'] AS name
FROM (SELECT id AS movie_id, unnest(companies_parsed['value']) AS entry FROM kept_movie_rows)
ORDER BY movie_id, company_id, name;

CREATE TABLE movie_countries AS
SELECT movie_id, entry['iso_3166_1'] AS iso_3166_1, entry['name'] AS name
FROM (SELECT id AS movie_id, unnest(countries_parsed['value']) AS entry FROM kept_movie_rows)
ORDER BY movie_id, iso_3166_1, name;

CREATE TABLE movie_languages AS
SELECT movie_id, entry['iso_639_1'] AS iso_639_1, entry['name'] AS name
FROM (SELECT id AS movie_id, unnest(languages_parsed['value']) AS entry FROM kept_movie_rows)
ORDER BY movie_id, iso_639_1, name;

-- A collection's name can differ between its members' cells; the most common
-- spelling wins, ties go to the smallest text.
CREATE TABLE collections AS
SELECT collection_id, name, members
FROM (
    SELECT
        collection_id,
        collection_name AS name,
        SUM(COUNT(*)) OVER (PARTITION BY collection_id) AS members,
        ROW_NUMBER() OVER (PARTITION BY collection_id ORDER BY COUNT(*) DESC, collection_name) AS rank
    FROM movies
    WHERE collection_id IS NOT NULL
    GROUP BY collection_id, collection_name
)
WHERE rank = 1
ORDER BY collection_id;

-- The last reader of the parsed movie rows (see movies.sql).
DROP TABLE kept_movie_rows;
