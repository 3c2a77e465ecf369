-- May 2023 variant: the same figures as cantidad_filmaciones_dia, as a dict.
CREATE TABLE q_peliculas_dia AS
SELECT key, dia, cantidad FROM q_cantidad_filmaciones_dia;
