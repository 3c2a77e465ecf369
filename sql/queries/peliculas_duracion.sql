CREATE TABLE q_peliculas_duracion AS
SELECT norm_key(title) AS key, title AS pelicula, runtime AS duracion, release_year AS anio, id AS movie_id
FROM movies
WHERE title IS NOT NULL
ORDER BY key, anio, movie_id;
