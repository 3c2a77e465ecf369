CREATE TABLE q_cantidad_filmaciones_dia AS
SELECT norm_key(s.dia) AS key, s.dia, COUNT(c.id) AS cantidad
FROM spanish_days s
LEFT JOIN movie_calendar c ON c.dow = s.dow
GROUP BY s.dow, s.dia
ORDER BY s.dow;
