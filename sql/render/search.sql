-- Titles for the client-side search (people come from search_people).
CREATE TABLE search_movies AS
SELECT id, title, release_year FROM movies WHERE title IS NOT NULL ORDER BY id;
