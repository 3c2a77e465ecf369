-- May 2023 variant: a company's total revenue (ganancia) and movie count, each movie once.
CREATE TABLE q_productoras AS
SELECT norm_key(c.name) AS key, c.name AS productora, SUM(m.revenue) AS ganancia_total, COUNT(*) AS cantidad
FROM (SELECT DISTINCT movie_id, name FROM movie_companies WHERE name IS NOT NULL) c
JOIN movies m ON m.id = c.movie_id
GROUP BY c.name
ORDER BY key, productora;
