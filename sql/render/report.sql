-- The data report: the exploratory analysis the assignment asks for.

CREATE TABLE report_columns AS
SELECT 'budget' AS "column", COUNT(*) - COUNT(budget) AS nulls, SUM(CASE WHEN budget = 0 THEN 1 ELSE 0 END) AS zeros, COUNT(*) AS total FROM movies
UNION ALL SELECT 'revenue', COUNT(*) - COUNT(revenue), SUM(CASE WHEN revenue = 0 THEN 1 ELSE 0 END), COUNT(*) FROM movies
UNION ALL SELECT 'return', COUNT(*) - COUNT("return"), SUM(CASE WHEN "return" = 0 THEN 1 ELSE 0 END), COUNT(*) FROM movies
UNION ALL SELECT 'runtime', COUNT(*) - COUNT(runtime), SUM(CASE WHEN runtime = 0 THEN 1 ELSE 0 END), COUNT(*) FROM movies
UNION ALL SELECT 'popularity', COUNT(*) - COUNT(popularity), SUM(CASE WHEN popularity = 0 THEN 1 ELSE 0 END), COUNT(*) FROM movies
UNION ALL SELECT 'vote_average', COUNT(*) - COUNT(vote_average), SUM(CASE WHEN vote_average = 0 THEN 1 ELSE 0 END), COUNT(*) FROM movies
UNION ALL SELECT 'vote_count', COUNT(*) - COUNT(vote_count), SUM(CASE WHEN vote_count = 0 THEN 1 ELSE 0 END), COUNT(*) FROM movies
UNION ALL SELECT 'title', COUNT(*) - COUNT(title), 0, COUNT(*) FROM movies
UNION ALL SELECT 'overview', COUNT(*) - COUNT(overview), 0, COUNT(*) FROM movies
UNION ALL SELECT 'tagline', COUNT(*) - COUNT(tagline), 0, COUNT(*) FROM movies
UNION ALL SELECT 'original_language', COUNT(*) - COUNT(original_language), 0, COUNT(*) FROM movies
UNION ALL SELECT 'collection', COUNT(*) - COUNT(collection_id), 0, COUNT(*) FROM movies
ORDER BY "column";

-- Histograms. Money and popularity span orders of magnitude: bucket by power of ten.
-- `buckets` says how a bucket's value reads on the chart (site/report.rs BucketLabels).
CREATE TABLE report_histograms AS
SELECT 'presupuesto (USD, distinto de cero, por potencia de diez)' AS chart, 'power_of_ten' AS buckets, CAST(CAST(floor(log10(CAST(budget AS DOUBLE))) AS BIGINT) AS DOUBLE) AS bucket, COUNT(*) AS movies FROM movies WHERE budget > 0 GROUP BY 3
UNION ALL SELECT 'recaudación (USD, distinta de cero, por potencia de diez)', 'power_of_ten', CAST(CAST(floor(log10(CAST(revenue AS DOUBLE))) AS BIGINT) AS DOUBLE), COUNT(*) FROM movies WHERE revenue > 0 GROUP BY 3
UNION ALL SELECT 'duración (minutos, de 15 en 15, con tope en 300)', 'whole', LEAST(floor(runtime / 15) * 15, 300), COUNT(*) FROM movies WHERE runtime > 0 GROUP BY 3
UNION ALL SELECT 'popularidad (por potencia de diez)', 'power_of_ten', CAST(CAST(floor(log10(popularity)) AS BIGINT) AS DOUBLE), COUNT(*) FROM movies WHERE popularity > 0 GROUP BY 3
UNION ALL SELECT 'valoración media (vote_average, de 0,5 en 0,5)', 'halves', floor(vote_average * 2) / 2, COUNT(*) FROM movies WHERE vote_count > 0 GROUP BY 3
UNION ALL SELECT 'año de estreno (por década)', 'whole', CAST(floor(release_year / 10) * 10 AS DOUBLE), COUNT(*) FROM movies GROUP BY 3
ORDER BY chart, bucket;

CREATE TABLE report_correlations AS
SELECT 'todas las películas' AS sample, COUNT(*) AS movies,
       corr(CAST(budget AS DOUBLE), CAST(revenue AS DOUBLE)) AS budget_revenue,
       corr(CAST(budget AS DOUBLE), popularity) AS budget_popularity,
       corr(CAST(vote_count AS DOUBLE), CAST(revenue AS DOUBLE)) AS votes_revenue,
       corr(popularity, CAST(vote_count AS DOUBLE)) AS popularity_votes,
       corr(runtime, vote_average) AS runtime_rating
FROM movies
UNION ALL
SELECT 'presupuesto y recaudación > 0', COUNT(*),
       corr(CAST(budget AS DOUBLE), CAST(revenue AS DOUBLE)),
       corr(CAST(budget AS DOUBLE), popularity),
       corr(CAST(vote_count AS DOUBLE), CAST(revenue AS DOUBLE)),
       corr(popularity, CAST(vote_count AS DOUBLE)),
       corr(runtime, vote_average)
FROM movies WHERE budget > 0 AND revenue > 0
ORDER BY sample;

CREATE TABLE report_outliers AS
SELECT 'duración de más de 5 horas' AS kind, id, title, release_year, runtime AS value FROM movies WHERE runtime > 300
UNION ALL
SELECT 'popularidad en el 0,1 % más alto', id, title, release_year, popularity
FROM movies WHERE popularity >= (SELECT approx_percentile_cont(popularity, 0.999) FROM movies)
ORDER BY kind, value DESC, id;

CREATE TABLE report_top AS
SELECT 'intérpretes (películas)' AS list, name AS label, films AS value, person_id AS id
FROM (SELECT n.person_id, n.name, COUNT(DISTINCT c.movie_id) AS films FROM "cast" c JOIN person_names n ON n.person_id = c.person_id GROUP BY n.person_id, n.name ORDER BY films DESC, n.person_id LIMIT 20)
UNION ALL
SELECT 'directores (películas)', name, films, person_id
FROM (SELECT n.person_id, n.name, COUNT(DISTINCT c.movie_id) AS films FROM crew c JOIN person_names n ON n.person_id = c.person_id WHERE c.job = 'Director' GROUP BY n.person_id, n.name ORDER BY films DESC, n.person_id LIMIT 20)
UNION ALL
SELECT 'géneros (películas)', name, movies, NULL FROM (SELECT name, COUNT(DISTINCT movie_id) AS movies FROM movie_genres GROUP BY name ORDER BY movies DESC, name LIMIT 20)
UNION ALL
SELECT 'idiomas originales (películas)', original_language, movies, NULL FROM (SELECT original_language, COUNT(*) AS movies FROM movies WHERE original_language IS NOT NULL GROUP BY original_language ORDER BY movies DESC, original_language LIMIT 20)
UNION ALL
SELECT 'palabras en los títulos (películas)', word, movies, NULL FROM (
    SELECT word, COUNT(DISTINCT id) AS movies
    FROM (SELECT id, unnest(string_to_array(regexp_replace(lower(title), '[^[:alnum:][:space:]]', '', 'g'), ' ')) AS word FROM movies WHERE title IS NOT NULL)
    WHERE length(word) > 2 AND word NOT IN ('the', 'and', 'for', 'with', 'from', 'los', 'las', 'del', 'les', 'der', 'die', 'das', 'una', 'des')
    GROUP BY word ORDER BY movies DESC, word LIMIT 30
);

-- Budget against revenue, for movies with both known (> 0), binned on a 1-2-5 grid in
-- each power of ten (1, 2, 5, 10, 20, 50...): a few hundred points however many
-- movies, with bounds a reader can say ("de 2 M a 5 M"). Each bin's lower bound.
CREATE TABLE report_scatter AS
WITH money AS (
    SELECT CAST(budget AS DOUBLE) AS budget, CAST(revenue AS DOUBLE) AS revenue,
           power(10.0, floor(log10(CAST(budget AS DOUBLE)))) AS budget_decade,
           power(10.0, floor(log10(CAST(revenue AS DOUBLE)))) AS revenue_decade
    FROM movies WHERE budget > 0 AND revenue > 0
)
SELECT budget_decade * CASE WHEN budget / budget_decade < 2 THEN 1 WHEN budget / budget_decade < 5 THEN 2 ELSE 5 END AS budget_from,
       revenue_decade * CASE WHEN revenue / revenue_decade < 2 THEN 1 WHEN revenue / revenue_decade < 5 THEN 2 ELSE 5 END AS revenue_from,
       COUNT(*) AS movies
FROM money GROUP BY 1, 2 ORDER BY 1, 2;

-- Pearson correlation of every pair of the six numeric columns, over the movies
-- whose budget and revenue are known (zeros there mean "unknown" and would swamp
-- the money pairs). One row per pair; the diagonal is 1 by definition.
CREATE TABLE report_correlation_pairs AS
WITH m AS (
    SELECT CAST(budget AS DOUBLE) AS budget, CAST(revenue AS DOUBLE) AS revenue, runtime, popularity, vote_average,
           CAST(vote_count AS DOUBLE) AS vote_count
    FROM movies WHERE budget > 0 AND revenue > 0
)
SELECT 'budget' AS a, 'revenue' AS b, corr(budget, revenue) AS r FROM m
UNION ALL SELECT 'budget', 'runtime', corr(budget, runtime) FROM m
UNION ALL SELECT 'budget', 'popularity', corr(budget, popularity) FROM m
UNION ALL SELECT 'budget', 'vote_average', corr(budget, vote_average) FROM m
UNION ALL SELECT 'budget', 'vote_count', corr(budget, vote_count) FROM m
UNION ALL SELECT 'revenue', 'runtime', corr(revenue, runtime) FROM m
UNION ALL SELECT 'revenue', 'popularity', corr(revenue, popularity) FROM m
UNION ALL SELECT 'revenue', 'vote_average', corr(revenue, vote_average) FROM m
UNION ALL SELECT 'revenue', 'vote_count', corr(revenue, vote_count) FROM m
UNION ALL SELECT 'runtime', 'popularity', corr(runtime, popularity) FROM m
UNION ALL SELECT 'runtime', 'vote_average', corr(runtime, vote_average) FROM m
UNION ALL SELECT 'runtime', 'vote_count', corr(runtime, vote_count) FROM m
UNION ALL SELECT 'popularity', 'vote_average', corr(popularity, vote_average) FROM m
UNION ALL SELECT 'popularity', 'vote_count', corr(popularity, vote_count) FROM m
UNION ALL SELECT 'vote_average', 'vote_count', corr(vote_average, vote_count) FROM m
ORDER BY a, b;
