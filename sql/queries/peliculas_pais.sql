-- The country as the data names it (production_countries name); each movie once.
CREATE TABLE q_peliculas_pais AS
SELECT norm_key(name) AS key, name AS pais, COUNT(DISTINCT movie_id) AS cantidad
FROM movie_countries
WHERE name IS NOT NULL
GROUP BY name
ORDER BY key, pais;
