-- links.csv (optional) maps MovieLens ids (ratings) to TMDB ids (movies.id); never
-- join ratings to id directly. A missing file is an empty table.

CREATE TABLE link_outcomes AS
SELECT
    *,
    CASE
        WHEN rejection IS NOT NULL THEN 'rejected'
        WHEN ROW_NUMBER() OVER (PARTITION BY movielens_id, rejection IS NULL ORDER BY line) > 1 THEN 'duplicate'
        ELSE 'kept'
    END AS outcome
FROM (
    SELECT
        *,
        CASE
            WHEN problem IS NOT NULL THEN named_struct('reason', 'malformed record', 'detail', problem)
            WHEN movielens_id IS NULL THEN named_struct('reason', 'movieId is not an integer', 'detail', concat('movieId = ', id_text))
            WHEN tmdb_text IS NULL THEN named_struct('reason', 'missing tmdbId', 'detail', concat('movieId = ', id_text))
            WHEN tmdb_id IS NULL THEN named_struct('reason', 'tmdbId is not an integer', 'detail', concat('tmdbId = ', tmdb_text))
        END AS rejection
    FROM (
        SELECT _line AS line, _records AS records, _problem AS problem, "movieId" AS id_text,
               TRY_CAST("movieId" AS BIGINT) AS movielens_id, "imdbId" AS imdb_id,
               "tmdbId" AS tmdb_text, TRY_CAST(TRY_CAST("tmdbId" AS DOUBLE) AS BIGINT) AS tmdb_id
        FROM raw_links
    )
);

CREATE TABLE links AS
SELECT movielens_id, imdb_id, tmdb_id FROM link_outcomes WHERE outcome = 'kept' ORDER BY movielens_id;
