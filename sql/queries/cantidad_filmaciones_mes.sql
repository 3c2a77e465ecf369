-- Every month answers, with 0 when no movie was released in it.
CREATE TABLE q_cantidad_filmaciones_mes AS
SELECT norm_key(s.mes) AS key, s.mes, COUNT(c.id) AS cantidad
FROM spanish_months s
LEFT JOIN movie_calendar c ON c.month = s.month
GROUP BY s.month, s.mes
ORDER BY s.month;
