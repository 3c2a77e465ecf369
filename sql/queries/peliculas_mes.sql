-- May 2023 variant: the same figures as cantidad_filmaciones_mes, as a dict.
CREATE TABLE q_peliculas_mes AS
SELECT key, mes, cantidad FROM q_cantidad_filmaciones_mes;
