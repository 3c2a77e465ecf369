-- A title shared by several movies answers with each of them, oldest first.
CREATE TABLE q_score_titulo AS
SELECT norm_key(title) AS key, title AS titulo, release_year AS anio, popularity AS popularidad, id AS movie_id
FROM movies
WHERE title IS NOT NULL
ORDER BY key, anio, movie_id;
