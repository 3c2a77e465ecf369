-- Spanish month and day names from the date itself, never from an OS locale.
-- date_part('dow', d) counts from 0 = Sunday.

CREATE TABLE spanish_months AS
SELECT * FROM (VALUES
    (1, 'enero'), (2, 'febrero'), (3, 'marzo'), (4, 'abril'), (5, 'mayo'), (6, 'junio'),
    (7, 'julio'), (8, 'agosto'), (9, 'septiembre'), (10, 'octubre'), (11, 'noviembre'), (12, 'diciembre')
) AS t(month, mes);

CREATE TABLE spanish_days AS
SELECT * FROM (VALUES
    (0, 'domingo'), (1, 'lunes'), (2, 'martes'), (3, 'miércoles'), (4, 'jueves'), (5, 'viernes'), (6, 'sábado')
) AS t(dow, dia);

CREATE TABLE movie_calendar AS
SELECT
    id,
    CAST(date_part('month', CAST(release_date AS DATE)) AS BIGINT) AS month,
    CAST(date_part('dow', CAST(release_date AS DATE)) AS BIGINT) AS dow
FROM movies;

-- People are told apart by id; their most frequent spelling names them.
CREATE TABLE person_names AS
SELECT person_id, name
FROM (
    SELECT person_id, name,
           ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY COUNT(*) DESC, name) AS rank
    FROM (SELECT person_id, name FROM "cast" UNION ALL SELECT person_id, name FROM crew)
    WHERE person_id IS NOT NULL AND name IS NOT NULL
    GROUP BY person_id, name
)
WHERE rank = 1
ORDER BY person_id;

