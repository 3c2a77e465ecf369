-- Every physical record of every input ends in exactly one outcome. A record that the
-- loader re-joined to the one before it (records = 2) is counted as 'rejoined'.

CREATE TABLE row_outcomes AS
SELECT 'movies' AS source, line, records, id_text AS row_key, outcome, rejection['reason'] AS reason, rejection['detail'] AS detail FROM movie_outcomes
UNION ALL
SELECT 'credits', line, records, id_text, outcome, rejection['reason'], rejection['detail'] FROM credit_outcomes
UNION ALL
SELECT 'keywords', line, records, id_text, outcome, rejection['reason'], rejection['detail'] FROM keyword_outcomes
UNION ALL
SELECT 'links', line, records, id_text, outcome, rejection['reason'], rejection['detail'] FROM link_outcomes
UNION ALL
SELECT 'ratings', line, records, id_text, outcome, rejection['reason'], rejection['detail'] FROM rating_outcomes;

CREATE VIEW outcome_counts AS
SELECT source, outcome, COALESCE(reason, '') AS reason, COUNT(*) AS rows, SUM(records) AS records
FROM row_outcomes
GROUP BY source, outcome, COALESCE(reason, '')
ORDER BY source, outcome, reason;

CREATE VIEW rejects AS
SELECT source, line, row_key, reason, detail
FROM row_outcomes
WHERE outcome = 'rejected'
ORDER BY source, line;

CREATE VIEW rejoined AS
SELECT source, line, row_key
FROM row_outcomes
WHERE records > 1
ORDER BY source, line;

CREATE VIEW table_counts AS
SELECT 'movies' AS "table", COUNT(*) AS rows FROM movies
UNION ALL SELECT 'movie_genres', COUNT(*) FROM movie_genres
UNION ALL SELECT 'movie_companies', COUNT(*) FROM movie_companies
UNION ALL SELECT 'movie_countries', COUNT(*) FROM movie_countries
UNION ALL SELECT 'movie_languages', COUNT(*) FROM movie_languages
UNION ALL SELECT 'collections', COUNT(*) FROM collections
UNION ALL SELECT 'cast', COUNT(*) FROM "cast"
UNION ALL SELECT 'crew', COUNT(*) FROM crew
UNION ALL SELECT 'keywords', COUNT(*) FROM keywords
UNION ALL SELECT 'links', COUNT(*) FROM links
UNION ALL SELECT 'ratings', COUNT(*) FROM ratings;
