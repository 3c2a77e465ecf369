-- keywords.csv (optional): the recommender's keywords. A missing file is registered
-- as an empty table, so this script always runs.

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

-- Parsed and decided: the raw text and the parsed rows are not read again.
DROP TABLE keyword_rows;
DROP TABLE raw_keywords;
