-- Credits: one record per movie id holding the whole cast and crew.

-- Views, not tables: the parsed cast and crew of every record held at once took more
-- memory than the raw text (about 1 GB at 4x the data). Each statement below parses
-- what it reads as it streams: once for the outcomes, once more for the kept records'
-- cast and crew tables.
CREATE VIEW credit_rows AS
SELECT
    _line AS line,
    _records AS records,
    _problem AS problem,
    id AS id_text,
    TRY_CAST(id AS BIGINT) AS id,
    "cast" AS cast_text,
    crew AS crew_text
FROM raw_credits;

-- Outcomes are decided on the small columns only: sorting the parsed cast and crew
-- through the window cost a second per run. Only the parse errors go on to the join,
-- and py_cast_error/py_crew_error give them without building the typed entries.
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
            WHEN c.cast_error IS NOT NULL THEN named_struct('reason', 'unparsable cast', 'detail', c.cast_error)
            WHEN c.crew_error IS NOT NULL THEN named_struct('reason', 'unparsable crew', 'detail', c.crew_error)
            WHEN m.id IS NULL THEN named_struct('reason', 'no kept movie with this id', 'detail', concat('id = ', c.id_text))
        END AS rejection
    FROM (
        SELECT line, records, problem, id_text, id, py_cast_error(cast_text) AS cast_error, py_crew_error(crew_text) AS crew_error
        FROM credit_rows
    ) c
    LEFT JOIN (SELECT id FROM movies) m ON m.id = c.id
);

-- The kept records, parsed again after the join: the raw text streams through it and
-- only the kept lines (a column of numbers) are held. A build reads the raw credits
-- from the loader's file on each of these reads (src/stages/etl/spilled.rs), so no
-- copy of their text is made here: a table of the cast text alone would hold it all.
-- (Read from raw_credits itself: through credit_rows, whose `id` is the raw `id` cast,
-- DataFusion's projection pushdown found the two names ambiguous.)
CREATE VIEW kept_credit_lines AS
SELECT line FROM credit_outcomes WHERE outcome = 'kept';

CREATE TABLE crew AS
SELECT
    movie_id,
    entry['id'] AS person_id,
    entry['name'] AS name,
    entry['job'] AS job,
    entry['department'] AS department,
    entry['gender'] AS gender
FROM (
    SELECT TRY_CAST(c.id AS BIGINT) AS movie_id, unnest(py_crew(c.crew)['value']) AS entry
    FROM raw_credits c
    JOIN kept_credit_lines k ON k.line = c._line
)
ORDER BY movie_id, department, job, person_id;

DROP VIEW credit_rows;

CREATE TABLE "cast" AS
SELECT
    movie_id,
    entry['id'] AS person_id,
    entry['name'] AS name,
    entry['character'] AS character,
    entry['order'] AS "order",
    entry['gender'] AS gender
FROM (
    SELECT TRY_CAST(c.id AS BIGINT) AS movie_id, unnest(py_cast(c."cast")['value']) AS entry
    FROM raw_credits c
    JOIN kept_credit_lines k ON k.line = c._line
)
ORDER BY movie_id, "order", person_id, character;

-- The raw credits are the largest table of the build: nothing reads them from here
-- on (credit_outcomes keeps what the accounting needs).
DROP VIEW kept_credit_lines;
DROP TABLE raw_credits;
