-- `recommendations` is registered by the recommend stage: five rows per movie with their
-- rank. The list is put in rank order, and "lista recomendada" derived from it, in
-- src/stages/questions/registry.rs (array_agg keeps no order).
-- Each recommendation is made into its struct before the join with the movie it is for:
-- the aggregate then holds its input once, not widened by that movie's columns (at 8x
-- the full data the statement's working set was 0.88 GB, now 0.75 GB).
CREATE TABLE q_recomendacion AS
WITH detalles AS (
    SELECT
        r.movie_id,
        named_struct('rank', r.rank, 'movie_id', r.recommended_id, 'titulo', r2.title, 'anio', r2.release_year, 'score', r.score, 'razones', r.reasons) AS detalle
    FROM movies r2
    JOIN recommendations r ON r2.id = r.recommended_id
)
SELECT
    norm_key(m.title) AS key,
    m.title AS titulo,
    m.release_year AS anio,
    array_agg(d.detalle) AS detalle,
    m.id AS movie_id
FROM movies m
JOIN detalles d ON d.movie_id = m.id
WHERE m.title IS NOT NULL
GROUP BY m.id, m.title, m.release_year
ORDER BY key, anio, movie_id;
