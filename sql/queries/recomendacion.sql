-- `recommendations` is registered by the recommend stage: five rows per movie, rank 1
-- first (sorted before array_agg, see sql/recommend/documents.sql).
CREATE TABLE q_recomendacion AS
SELECT
    norm_key(title) AS key,
    title AS titulo,
    release_year AS anio,
    array_agg(COALESCE(rec_title, '')) AS "lista recomendada",
    array_agg(named_struct('movie_id', recommended_id, 'titulo', rec_title, 'anio', rec_year, 'score', score)) AS detalle,
    movie_id
FROM (
    SELECT m.id AS movie_id, m.title, m.release_year, r.recommended_id, r2.title AS rec_title, r2.release_year AS rec_year, r.score
    FROM movies m
    JOIN recommendations r ON r.movie_id = m.id
    JOIN movies r2 ON r2.id = r.recommended_id
    WHERE m.title IS NOT NULL
    ORDER BY m.id, r.rank
)
GROUP BY movie_id, title, release_year
ORDER BY key, anio, movie_id;
