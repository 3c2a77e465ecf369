-- Titles and collections for the client-side search (people come from search_people),
-- each with its popularity: TMDB's vote count (a collection's, its movies' together, so
-- that "harry potter" offers the collection before each film).
CREATE TABLE search_movies AS
SELECT id, title, release_year, COALESCE(vote_count, 0) AS votes
FROM movies WHERE title IS NOT NULL ORDER BY id;

CREATE TABLE search_collections AS
SELECT collection_name AS name, COUNT(*) AS films, SUM(COALESCE(vote_count, 0)) AS votes
FROM movies WHERE collection_name IS NOT NULL
GROUP BY collection_name ORDER BY collection_name;
