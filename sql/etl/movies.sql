-- Movies: type every column once, parse every nested cell once, then decide each
-- record's fate (kept, duplicate, rejected with a reason) before building `movies`.

CREATE TABLE movie_rows AS
SELECT
    _line AS line,
    _records AS records,
    _problem AS problem,
    id AS id_text,
    TRY_CAST(id AS BIGINT) AS id,
    title,
    overview,
    tagline,
    status,
    original_language,
    budget AS budget_text,
    TRY_CAST(budget AS DOUBLE) AS budget,
    revenue AS revenue_text,
    TRY_CAST(revenue AS DOUBLE) AS revenue,
    popularity AS popularity_text,
    TRY_CAST(popularity AS DOUBLE) AS popularity,
    runtime AS runtime_text,
    TRY_CAST(runtime AS DOUBLE) AS runtime,
    vote_average AS vote_average_text,
    TRY_CAST(vote_average AS DOUBLE) AS vote_average,
    vote_count AS vote_count_text,
    TRY_CAST(vote_count AS DOUBLE) AS vote_count,
    release_date AS release_date_text,
    TRY_CAST(release_date AS DATE) AS release_date,
    py_collection(belongs_to_collection) AS collection_parsed,
    py_id_names(genres) AS genres_parsed,
    py_id_names(production_companies) AS companies_parsed,
    py_countries(production_countries) AS countries_parsed,
    py_languages(spoken_languages) AS languages_parsed
FROM raw_movies;

-- The raw text is parsed now: freed before the credits, the largest file, are parsed.
DROP TABLE raw_movies;

-- The first problem found names the rejection; numbers that are present but do not
-- parse are garbage, numbers that are absent are the ETL's zeros and nulls.
CREATE TABLE movie_checks AS
SELECT
    *,
    CASE
        WHEN problem IS NOT NULL THEN named_struct('reason', 'malformed record', 'detail', problem)
        WHEN id IS NULL THEN named_struct('reason', 'id is not an integer', 'detail', concat('id = ', id_text))
        WHEN budget_text IS NOT NULL AND budget IS NULL THEN named_struct('reason', 'budget is not a number', 'detail', concat('budget = ', budget_text))
        WHEN revenue_text IS NOT NULL AND revenue IS NULL THEN named_struct('reason', 'revenue is not a number', 'detail', concat('revenue = ', revenue_text))
        WHEN popularity_text IS NOT NULL AND popularity IS NULL THEN named_struct('reason', 'popularity is not a number', 'detail', concat('popularity = ', popularity_text))
        WHEN runtime_text IS NOT NULL AND runtime IS NULL THEN named_struct('reason', 'runtime is not a number', 'detail', concat('runtime = ', runtime_text))
        WHEN vote_average_text IS NOT NULL AND vote_average IS NULL THEN named_struct('reason', 'vote_average is not a number', 'detail', concat('vote_average = ', vote_average_text))
        WHEN vote_count_text IS NOT NULL AND vote_count IS NULL THEN named_struct('reason', 'vote_count is not a number', 'detail', concat('vote_count = ', vote_count_text))
        -- The numeric rules, one line per column: a value that parses but is not a
        -- finite number in its column's range damages the row (NaN, inf, 1e309, 1e20,
        -- negative amounts). Bounds leave room for every real value (revenue tops at
        -- 2.8e9, runtime at 1,256 min) and keep sums over 4x the dataset inside BIGINT.
        WHEN id <= 0 THEN named_struct('reason', 'id is not a positive integer', 'detail', concat('id = ', id_text))
        WHEN budget IS NOT NULL AND (isnan(budget) OR budget < 0 OR budget > 1e12) THEN named_struct('reason', 'budget out of range', 'detail', concat('budget = ', budget_text, ' (allowed: 0 to 1e12)'))
        WHEN revenue IS NOT NULL AND (isnan(revenue) OR revenue < 0 OR revenue > 1e12) THEN named_struct('reason', 'revenue out of range', 'detail', concat('revenue = ', revenue_text, ' (allowed: 0 to 1e12)'))
        WHEN popularity IS NOT NULL AND (isnan(popularity) OR popularity < 0 OR popularity > 1e6) THEN named_struct('reason', 'popularity out of range', 'detail', concat('popularity = ', popularity_text, ' (allowed: 0 to 1e6)'))
        WHEN runtime IS NOT NULL AND (isnan(runtime) OR runtime < 0 OR runtime > 1e6) THEN named_struct('reason', 'runtime out of range', 'detail', concat('runtime = ', runtime_text, ' (allowed: 0 to 1e6 minutes)'))
        WHEN vote_average IS NOT NULL AND (isnan(vote_average) OR vote_average < 0 OR vote_average > 10) THEN named_struct('reason', 'vote_average out of range', 'detail', concat('vote_average = ', vote_average_text, ' (allowed: 0 to 10)'))
        WHEN vote_count IS NOT NULL AND (isnan(vote_count) OR vote_count < 0 OR vote_count > 1e9 OR vote_count <> trunc(vote_count)) THEN named_struct('reason', 'vote_count out of range', 'detail', concat('vote_count = ', vote_count_text, ' (allowed: whole numbers 0 to 1e9)'))
        -- A title goes into many answers and pages; the longest real one has 104 characters.
        WHEN character_length(title) > 1000 THEN named_struct('reason', 'title too long', 'detail', concat('title has ', CAST(character_length(title) AS VARCHAR), ' characters (allowed: 1000)'))
        WHEN release_date_text IS NULL THEN named_struct('reason', 'missing release_date', 'detail', 'the ETL removes movies without a release date')
        WHEN release_date IS NULL THEN named_struct('reason', 'release_date is not a date', 'detail', concat('release_date = ', release_date_text))
        -- Years outside 1870-2100 are typos or overflow (+10000-01-01, -0001-03-01).
        WHEN release_date < DATE '1870-01-01' OR release_date > DATE '2100-12-31' THEN named_struct('reason', 'release_date out of range', 'detail', concat('release_date = ', release_date_text, ' (allowed: 1870-01-01 to 2100-12-31)'))
        WHEN collection_parsed['error'] IS NOT NULL THEN named_struct('reason', 'unparsable belongs_to_collection', 'detail', collection_parsed['error'])
        WHEN genres_parsed['error'] IS NOT NULL THEN named_struct('reason', 'unparsable genres', 'detail', genres_parsed['error'])
        WHEN companies_parsed['error'] IS NOT NULL THEN named_struct('reason', 'unparsable production_companies', 'detail', companies_parsed['error'])
        WHEN countries_parsed['error'] IS NOT NULL THEN named_struct('reason', 'unparsable production_countries', 'detail', countries_parsed['error'])
        WHEN languages_parsed['error'] IS NOT NULL THEN named_struct('reason', 'unparsable spoken_languages', 'detail', languages_parsed['error'])
    END AS rejection
FROM movie_rows;

-- Duplicated ids: the first valid copy in file order is kept, later copies are
-- counted as duplicates (README, "Row accounting").
CREATE TABLE movie_outcome_rows AS
SELECT
    *,
    CASE
        WHEN rejection IS NOT NULL THEN 'rejected'
        WHEN ROW_NUMBER() OVER (PARTITION BY id, rejection IS NULL ORDER BY line) > 1 THEN 'duplicate'
        ELSE 'kept'
    END AS outcome
FROM movie_checks;

CREATE TABLE kept_movie_rows AS
SELECT * FROM movie_outcome_rows WHERE outcome = 'kept';

-- The accounting reads only these columns. Every other copy of the parsed rows is
-- dropped here (at 4x the data they held 0.4 GB through the rest of the ETL);
-- kept_movie_rows goes once movie_lists.sql has read it.
CREATE TABLE movie_outcomes AS
SELECT line, records, id_text, rejection, outcome FROM movie_outcome_rows;

DROP TABLE movie_outcome_rows;
DROP TABLE movie_checks;
DROP TABLE movie_rows;

CREATE TABLE movies AS
SELECT
    id,
    title,
    to_char(release_date, '%Y-%m-%d') AS release_date,
    CAST(date_part('year', release_date) AS BIGINT) AS release_year,
    CAST(COALESCE(budget, 0) AS BIGINT) AS budget,
    CAST(COALESCE(revenue, 0) AS BIGINT) AS revenue,
    CASE WHEN COALESCE(budget, 0) > 0 THEN COALESCE(revenue, 0) / budget ELSE 0.0 END AS "return",
    runtime,
    popularity,
    vote_average,
    CAST(vote_count AS BIGINT) AS vote_count,
    original_language,
    collection_parsed['value']['id'] AS collection_id,
    collection_parsed['value']['name'] AS collection_name,
    status,
    tagline,
    overview
FROM kept_movie_rows
ORDER BY id;
