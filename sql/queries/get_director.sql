-- Directors are crew with job = 'Director'; each film once. src/stages/questions/registry.rs puts the
-- films in date order (array_agg keeps no order).
CREATE TABLE q_get_director AS
SELECT
    norm_key(name) AS key,
    name AS director,
    SUM(retorno) AS retorno_total_director,
    COUNT(*) AS cantidad_peliculas,
    array_agg(named_struct('titulo', titulo, 'fecha', fecha, 'retorno', retorno, 'budget', budget, 'revenue', revenue, 'movie_id', movie_id)) AS peliculas,
    person_id
FROM (
    SELECT p.person_id, p.name, m.title AS titulo, m.release_date AS fecha, m."return" AS retorno, m.budget, m.revenue, m.id AS movie_id
    FROM (SELECT DISTINCT movie_id, person_id FROM crew WHERE job = 'Director' AND person_id IS NOT NULL) d
    JOIN person_names p ON p.person_id = d.person_id
    JOIN movies m ON m.id = d.movie_id
)
GROUP BY person_id, name
ORDER BY key, cantidad_peliculas DESC, person_id;
