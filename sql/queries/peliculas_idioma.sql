-- The language as the data writes it: the original_language code.
CREATE TABLE q_peliculas_idioma AS
SELECT norm_key(original_language) AS key, original_language AS idioma, COUNT(*) AS cantidad
FROM movies
WHERE original_language IS NOT NULL
GROUP BY original_language
ORDER BY key, idioma;
