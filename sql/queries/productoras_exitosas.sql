-- July 2023 variant: the figures of productoras (which runs first), under the July keys.
CREATE TABLE q_productoras_exitosas AS
SELECT key, productora, ganancia_total AS revenue_total, cantidad FROM q_productoras;
