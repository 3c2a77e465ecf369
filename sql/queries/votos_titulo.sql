-- Only movies with at least @min_votes votes (the assignment's 2000) return their
-- votes; the others say why not.
CREATE TABLE q_votos_titulo AS
SELECT
    norm_key(title) AS key,
    title AS titulo,
    release_year AS anio,
    vote_count >= @min_votes AS cumple_condicion,
    CASE WHEN vote_count >= @min_votes THEN vote_count END AS voto_total,
    CASE WHEN vote_count >= @min_votes THEN vote_average END AS voto_promedio,
    id AS movie_id
FROM movies
WHERE title IS NOT NULL
ORDER BY key, anio, movie_id;
