-- ratings.csv or ratings_small.csv (optional): MovieLens ratings, for the recommender.
-- A missing file is an empty table.
--
-- The loader hands over the records whose four fields are plain numbers typed
-- (raw_ratings_numbers: 20 bytes a row; the full ratings.csv has 26 million) and the
-- others as text (raw_ratings, usually none). Both meet the same rules; a typed record
-- can only fail the range check, and its detail is its number written back, which the
-- loader accepts only when that repeats the file's text.

CREATE VIEW rating_rows AS
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
    SELECT CAST(_line AS BIGINT) AS line, CAST(1 AS BIGINT) AS records, CAST(NULL AS VARCHAR) AS problem,
           CAST("movieId" AS VARCHAR) AS id_text, CAST("userId" AS BIGINT) AS user_id, CAST("movieId" AS BIGINT) AS movielens_id,
           CAST(CAST(rating AS DOUBLE) AS VARCHAR) AS rating_text, CAST(rating AS DOUBLE) AS rating, CAST(timestamp AS BIGINT) AS rated_at
    FROM raw_ratings_numbers
    UNION ALL
    SELECT _line AS line, _records AS records, _problem AS problem, "movieId" AS id_text,
           TRY_CAST("userId" AS BIGINT) AS user_id, TRY_CAST("movieId" AS BIGINT) AS movielens_id,
           rating AS rating_text, TRY_CAST(rating AS DOUBLE) AS rating, TRY_CAST(timestamp AS BIGINT) AS rated_at
    FROM raw_ratings
);

-- The rejected records, one row each (few): read once, kept for the accounting.
CREATE TABLE rating_checks AS
SELECT line, records, id_text, rejection FROM rating_rows WHERE rejection IS NOT NULL;

-- Of a user's several ratings of one movie the first in the file is kept. Only the
-- columns the clean table needs go through the window's sort, as numbers.
CREATE TABLE ratings AS
SELECT user_id, movielens_id, rating, rated_at
FROM (
    SELECT user_id, movielens_id, rating, rated_at,
           ROW_NUMBER() OVER (PARTITION BY user_id, movielens_id ORDER BY line) AS nth
    FROM rating_rows
    WHERE rejection IS NULL
)
WHERE nth = 1
ORDER BY user_id, movielens_id;

-- Every record's outcome for the accounting: the rejected ones one by one, the kept
-- and the duplicate ones as two counted rows (`rows`: how many records each stands
-- for), so 26 million outcomes are not kept to be counted.
CREATE TABLE rating_outcomes AS
SELECT line, records, id_text, 'rejected' AS outcome, rejection, CAST(1 AS BIGINT) AS rows FROM rating_checks
UNION ALL
SELECT CAST(NULL AS BIGINT), kept AS records, CAST(NULL AS VARCHAR), 'kept', named_struct('reason', CAST(NULL AS VARCHAR), 'detail', CAST(NULL AS VARCHAR)), kept AS rows
FROM (SELECT COUNT(*) AS kept FROM ratings)
WHERE kept > 0
UNION ALL
SELECT CAST(NULL AS BIGINT), duplicates AS records, CAST(NULL AS VARCHAR), 'duplicate', named_struct('reason', CAST(NULL AS VARCHAR), 'detail', CAST(NULL AS VARCHAR)), duplicates AS rows
FROM (SELECT (SELECT COUNT(*) FROM rating_rows WHERE rejection IS NULL) - (SELECT COUNT(*) FROM ratings) AS duplicates)
WHERE duplicates > 0;
