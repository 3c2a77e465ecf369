-- Credits: one record per movie id holding the whole cast and crew.

CREATE TABLE credit_rows AS
SELECT
    _line AS line,
    _records AS records,
    _problem AS problem,
    id AS id_text,
    TRY_CAST(id AS BIGINT) AS id,
    py_cast("cast") AS cast_parsed,
    py_crew(crew) AS crew_parsed
FROM raw_credits;

-- Outcomes are decided on the small columns only: sorting the parsed cast and crew
-- through the window cost a second per run.
CREATE TABLE credit_outcomes AS
SELECT
    *,
    CASE
        WHEN rejection IS NOT NULL THEN 'rejected'
        WHEN ROW_NUMBER() OVER (PARTITION BY id, rejection IS NULL ORDER BY line) > 1 THEN 'duplicate'
        ELSE 'kept'
    END AS outcome
FROM (
    SELECT
        c.line, c.records, c.problem, c.id_text, c.id,
        CASE
            WHEN c.problem IS NOT NULL THEN named_struct('reason', 'malformed record', 'detail', c.problem)
            WHEN c.id IS NULL THEN named_struct('reason', 'id is not an integer', 'detail', concat('id = ', c.id_text))
            WHEN c.cast_parsed['error'] IS NOT NULL THEN named_struct('reason', 'unparsable cast', 'detail', c.cast_parsed['error'])
            WHEN c.crew_parsed['error'] IS NOT NULL THEN named_struct('reason', 'unparsable crew', 'detail', c.crew_parsed['error'])
            WHEN m.id IS NULL THEN named_struct('reason', 'no kept movie with this id', 'detail', concat('id = ', c.id_text))
        END AS rejection
    FROM credit_rows c
    LEFT JOIN (SELECT id FROM movies) m ON m.id = c.id
);

-- A view: the kept rows stream into the unnests below instead of being copied whole.
CREATE VIEW kept_credit_rows AS
SELECT c.id, c.cast_parsed, c.crew_parsed
FROM credit_rows c
JOIN (SELECT line FROM credit_outcomes WHERE outcome = 'kept') k ON k.line = c.line;

CREATE TABLE "cast" AS
SELECT
    movie_id,
    entry['id'] AS person_id,
    entry['name'] AS name,
    entry['character'] AS character,
    entry['order'] AS "order",
    entry['gender'] AS gender
FROM (SELECT id AS movie_id, unnest(cast_parsed['value']) AS entry FROM kept_credit_rows)
ORDER BY movie_id, "order", person_id, character;

CREATE TABLE crew AS
SELECT
    movie_id,
    entry['id'] AS person_id,
    entry['name'] AS name,
    entry['job'] AS job,
    entry['department'] AS department,
    entry['gender'] AS gender
FROM (SELECT id AS movie_id, unnest(crew_parsed['value']) AS entry FROM kept_credit_rows)
ORDER BY movie_id, department, job, person_id;

-- The raw and parsed credits are the largest tables of the build (hundreds of MB) and
-- nothing reads them from here on; credit_outcomes keeps what the accounting needs.
DROP VIEW kept_credit_rows;
DROP TABLE credit_rows;
DROP TABLE raw_credits;
