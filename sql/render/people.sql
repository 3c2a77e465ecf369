-- Which people get a page: every director, and every actor with 5 or more films.
-- (~200k actors exist; most appear once. Everyone stays findable through search and
-- the get_actor answers of the bundle.)

CREATE TABLE person_credits AS
SELECT person_id, movie_id, 'actor' AS role, MIN(character) AS detail
FROM "cast" WHERE person_id IS NOT NULL
GROUP BY person_id, movie_id
UNION ALL
SELECT person_id, movie_id, 'director' AS role, NULL AS detail
FROM crew WHERE job = 'Director' AND person_id IS NOT NULL
GROUP BY person_id, movie_id
ORDER BY person_id, movie_id, role;

-- With the number of their credits, by which the person pages are cut into ranges
-- (src/stages/site/people.rs).
CREATE TABLE paged_people AS
SELECT person_id, COUNT(*) AS credits FROM person_credits
GROUP BY person_id
HAVING SUM(CASE WHEN role = 'director' THEN 1 ELSE 0 END) > 0
    OR SUM(CASE WHEN role = 'actor' THEN 1 ELSE 0 END) >= @person_page_min_films
ORDER BY person_id;

-- A view: the person pages query it one range of person ids at a time, so that only
-- that range's film lists are held (src/stages/site/mod.rs, page_chunks).
CREATE VIEW page_people AS
SELECT
    p.person_id,
    n.name,
    array_agg(named_struct('id', m.id, 'title', m.title, 'year', m.release_year, 'date', m.release_date, 'role', c.role, 'character', c.detail, 'return_ratio', m."return")) AS films
FROM paged_people p
JOIN person_names n ON n.person_id = p.person_id
JOIN person_credits c ON c.person_id = p.person_id
JOIN movies m ON m.id = c.movie_id
GROUP BY p.person_id, n.name;
-- No ORDER BY: each row is one page, whatever the order, and sorting rows that carry
-- whole film lists failed at 8x the data (the sort's pool cannot hold one batch).

-- Everyone, paged or not, for the client-side search: whether they direct, and their
-- popularity, the votes of their films (a film counted once per role).
CREATE TABLE search_people AS
SELECT n.person_id, n.name, COUNT(DISTINCT c.movie_id) AS films, MIN(c.movie_id) AS some_movie,
       p.person_id IS NOT NULL AS has_page,
       SUM(CASE WHEN c.role = 'director' THEN 1 ELSE 0 END) > 0 AS directs,
       SUM(COALESCE(m.vote_count, 0)) AS votes
FROM person_names n
JOIN person_credits c ON c.person_id = n.person_id
JOIN movies m ON m.id = c.movie_id
LEFT JOIN paged_people p ON p.person_id = n.person_id
GROUP BY n.person_id, n.name, p.person_id
ORDER BY n.person_id;

-- person_credits stays until the person pages are written: page_people reads it.
