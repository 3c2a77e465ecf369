CREATE TABLE q_retorno AS
SELECT norm_key(title) AS key, title AS pelicula, budget AS inversion, revenue AS ganancia, "return" AS retorno, release_year AS anio, id AS movie_id
FROM movies
WHERE title IS NOT NULL
ORDER BY key, anio, movie_id;
