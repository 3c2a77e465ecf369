-- Cast only, never crew; a movie counts once even when the actor plays two roles in it.
CREATE TABLE q_get_actor AS
SELECT
    norm_key(p.name) AS key,
    p.name AS actor,
    COUNT(*) AS cantidad_filmaciones,
    SUM(m."return") AS retorno_total,
    SUM(m."return") / COUNT(*) AS retorno_promedio,
    p.person_id
FROM (SELECT DISTINCT movie_id, person_id FROM "cast" WHERE person_id IS NOT NULL) a
JOIN person_names p ON p.person_id = a.person_id
JOIN movies m ON m.id = a.movie_id
GROUP BY p.person_id, p.name
ORDER BY key, cantidad_filmaciones DESC, p.person_id;
