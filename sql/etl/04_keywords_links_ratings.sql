-- The optional files: keywords feed the recommender, links and ratings its evaluation.
-- A missing file is registered as an empty table, so these scripts always run.

CREATE TABLE keyword_rows AS
SELECT _line AS line, _records AS records, _problem AS problem, id AS id_text,
       TRY_CAST(id AS BIGINT) AS id, py_id_names(keywords) AS keywords_parsed
FROM raw_keywords;

CREATE TABLE keyword_outcomes AS
SELECT
    *,
    CASE
        WHEN rejection IS NOT NULL THEN 'rejected'
        WHEN ROW_NUMBER() OVER (PARTITION BY id, rejection IS NULL ORDER BY line) > 1 THEN 'duplicate'
        ELSE 'kept'
    END AS outcome
FROM (
    SELECT
        k.*,
        CASE
            WHEN k.problem IS NOT NULL THEN named_struct('reason', 'malformed record', 'detail', k.problem)
            WHEN k.id IS NULL THEN named_struct('reason', 'id is not an integer', 'detail', concat('id = ', k.id_text))
            WHEN k.keywords_parsed['error'] IS NOT NULL THEN named_struct('reason', 'unparsable keywords', 'detail', k.keywords_parsed['error'])
            WHEN m.id IS NULL THEN named_struct('reason', 'no kept movie with this id', 'detail', concat('id = ', k.id_text))
        END AS rejection
    FROM keyword_rows k
    LEFT JOIN (SELECT id FROM movies) m ON m.id = k.id
);

CREATE TABLE keywords AS
SELECT movie_id, entry['id'] AS keyword_id, entry['name'] AS name
FROM (SELECT id AS movie_id, unnest(keywords_parsed['value']) AS entry FROM keyword_outcomes WHERE outcome = 'kept')
ORDER BY movie_id, keyword_id, name;

-- links.csv maps MovieLens ids (ratings) to TMDB ids (movies.id); never join ratings to id directly.
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

CREATE TABLE rating_outcomes AS
SELECT
    *,
    CASE
        WHEN rejection IS NOT NULL THEN 'rejected'
        WHEN ROW_NUMBER() OVER (PARTITION BY user_id, movielens_id, rejection IS NULL ORDER BY line) > 1 THEN 'duplicate'
        ELSE 'kept'
    END AS outcome
FROM (
    SELECT
        *,
        CASE
            WHEN problem IS NOT NULL THEN named_struct('reason', 'malformed record', 'detail', problem)
            WHEN user_id IS NULL OR movielens_id IS NULL OR rating IS NULL
                THEN named_struct('reason', 'userId, movieId or rating is not a number', 'detail', concat('movieId = ', id_text))
            -- MovieLens ratings are half stars from 0.5 to 5 (NaN fails the range too).
            WHEN isnan(rating) OR rating < 0.5 OR rating > 5
                THEN named_struct('reason', 'rating out of range', 'detail', concat('rating = ', rating_text, ' (allowed: 0.5 to 5)'))
        END AS rejection
    FROM (
        SELECT _line AS line, _records AS records, _problem AS problem, "movieId" AS id_text,
               TRY_CAST("userId" AS BIGINT) AS user_id, TRY_CAST("movieId" AS BIGINT) AS movielens_id,
               rating AS rating_text, TRY_CAST(rating AS DOUBLE) AS rating, TRY_CAST(timestamp AS BIGINT) AS rated_at
        FROM raw_ratings
    )
);

CREATE TABLE ratings AS
SELECT user_id, movielens_id, rating, rated_at FROM rating_outcomes WHERE outcome = 'kept'
ORDER BY user_id, movielens_id;
