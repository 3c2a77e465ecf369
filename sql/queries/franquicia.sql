-- A franchise is a collection (belongs_to_collection); gains are revenue.
CREATE TABLE q_franquicia AS
SELECT
    norm_key(c.name) AS key,
    c.name AS franquicia,
    COUNT(*) AS cantidad,
    SUM(m.revenue) AS ganancia_total,
    CAST(SUM(m.revenue) AS DOUBLE) / COUNT(*) AS ganancia_promedio,
    c.collection_id
FROM collections c
JOIN movies m ON m.collection_id = c.collection_id
GROUP BY c.collection_id, c.name
ORDER BY key, c.collection_id;
