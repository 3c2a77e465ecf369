-- `recommendations` is registered by the recommend stage: five rows per movie with their
-- rank. The list is put in rank order, and "lista recomendada" derived from it, in
-- src/stages/questions/registry.rs (array_agg keeps no order).
CREATE TABLE q_recomendacion AS
SELECT
    norm_key(m.title) AS key,
    m.title AS titulo,
    m.release_year AS anio,
    array_agg(named_struct('rank', r.rank, 'movie_id', r.recommended_id, 'titulo', r2.title, 'anio', r2.release_year, 'score', r.score, 'razones', r.reasons)) AS detalle,
    m.id AS movie_id
FROM movies m
JOIN recommendations r ON r.movie_id = m.id
JOIN movies r2 ON r2.id = r.recommended_id
WHERE m.title IS NOT NULL
GROUP BY m.id, m.title, m.release_year
ORDER BY key, anio, movie_id;
