-- ratings_small.csv (optional): MovieLens ratings, for the recommender's evaluation.
-- A missing file is an empty table.

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
