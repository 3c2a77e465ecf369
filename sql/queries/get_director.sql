-- Directors are crew with job = 'Director'; each film once, oldest first.
CREATE TABLE q_get_director AS
SELECT
    norm_key(p.name) AS key,
    p.name AS director,
    SUM(m."return") AS retorno_total_director,
    COUNT(*) AS cantidad_peliculas,
    array_agg(
        named_struct('titulo', m.title, 'fecha', m.release_date, 'retorno', m."return", 'budget', m.budget, 'revenue', m.revenue, 'movie_id', m.id)
        ORDER BY m.release_date, m.id
    ) AS peliculas,
    p.person_id
FROM (SELECT DISTINCT movie_id, person_id FROM crew WHERE job = 'Director' AND person_id IS NOT NULL) d
JOIN person_names p ON p.person_id = d.person_id
JOIN movies m ON m.id = d.movie_id
GROUP BY p.person_id, p.name
ORDER BY key, cantidad_peliculas DESC, p.person_id;
