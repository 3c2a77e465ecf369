//! The data dictionary, datos.html: every published clean table (`tables::CLEAN`,
//! written as Parquet and CSV) and every column, with its Arrow type, its meaning,
//! its nulls and zeros and an example value (sql/render/dictionary.sql).
//!
//! The meanings are written by hand, here, one per column. The build fails when a
//! published column has no meaning, when a meaning names a column that is gone, or
//! when the SQL's list of columns differs from the tables': the page can only be
//! complete and current.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use minijinja::context;
use serde_json::{Value, json};

use super::values::rows;
use super::{Site, Written};
use crate::foundation::tables;

/// Examples longer than this (overviews) are cut with an ellipsis.
const EXAMPLE_CHARS: usize = 80;

/// A table's entry: its name, what a row is, and (column, meaning) for each column.
pub type TableMeanings = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

/// What each table holds, and what each of its columns means, in Spanish.
pub const MEANINGS: &[TableMeanings] = &[
    (
        tables::MOVIES,
        "Una fila por película conservada de movies_metadata.csv.",
        &[
            ("id", "Identificador de la película en TMDB (The Movie Database)."),
            ("title", "Título (en el idioma en que TMDB lo registra, normalmente inglés)."),
            ("release_date", "Fecha de estreno, AAAA-MM-DD. Las películas sin fecha se descartan."),
            ("release_year", "Año de estreno, tomado de release_date."),
            ("budget", "Presupuesto en dólares estadounidenses; 0 cuando se desconoce."),
            ("revenue", "Recaudación en dólares estadounidenses; 0 cuando se desconoce (los nulos del original pasan a 0)."),
            ("return", "Retorno: revenue / budget; 0 cuando no hay presupuesto."),
            ("runtime", "Duración en minutos."),
            ("popularity", "Popularidad según TMDB (una puntuación sin unidad, sin tope)."),
            ("vote_average", "Valoración media de los usuarios de TMDB, de 0 a 10."),
            ("vote_count", "Número de votos de los usuarios de TMDB."),
            ("original_language", "Idioma original, código ISO 639-1 (en, fr, es…)."),
            ("collection_id", "Identificador de la colección o saga a la que pertenece, si pertenece a una."),
            ("collection_name", "Nombre de esa colección."),
            ("status", "Estado de la producción (Released, Rumored, Post Production…)."),
            ("tagline", "Eslogan promocional."),
            ("overview", "Sinopsis de la película, en inglés como en los datos."),
        ],
    ),
    (
        "movie_genres",
        "Los géneros de cada película: una fila por película y género.",
        &[
            ("movie_id", "La película (movies.id)."),
            ("genre_id", "Identificador del género en TMDB."),
            ("name", "Nombre del género (en inglés, como en los datos)."),
        ],
    ),
    (
        "movie_companies",
        "Las productoras de cada película: una fila por película y productora.",
        &[
            ("movie_id", "La película (movies.id)."),
            ("company_id", "Identificador de la productora en TMDB."),
            ("name", "Nombre de la productora."),
        ],
    ),
    (
        "movie_countries",
        "Los países de producción de cada película: una fila por película y país.",
        &[
            ("movie_id", "La película (movies.id)."),
            ("iso_3166_1", "Código del país, ISO 3166-1 alfa-2 (US, FR, ES…)."),
            ("name", "Nombre del país (en inglés, como en los datos)."),
        ],
    ),
    (
        "movie_languages",
        "Los idiomas hablados en cada película: una fila por película e idioma.",
        &[
            ("movie_id", "La película (movies.id)."),
            ("iso_639_1", "Código del idioma, ISO 639-1."),
            ("name", "Nombre del idioma, en ese idioma (English, Español, Français…)."),
        ],
    ),
    (
        "collections",
        "Las colecciones o sagas: una fila por colección con alguna película conservada.",
        &[
            ("collection_id", "Identificador de la colección en TMDB (movies.collection_id)."),
            ("name", "Nombre de la colección: el más frecuente entre sus películas."),
            ("members", "Cuántas películas conservadas pertenecen a la colección."),
        ],
    ),
    (
        "cast",
        "El reparto, de credits.csv: una fila por papel (un intérprete puede tener dos en una película).",
        &[
            ("movie_id", "La película (movies.id)."),
            ("person_id", "Identificador de la persona en TMDB."),
            ("name", "Nombre del intérprete."),
            ("character", "Personaje interpretado."),
            ("order", "Posición en los créditos: 0 es el primer nombre del cartel."),
            ("gender", "Género según TMDB: 0 desconocido, 1 mujer, 2 hombre."),
        ],
    ),
    (
        "crew",
        "El equipo técnico, de credits.csv: una fila por persona y puesto en una película.",
        &[
            ("movie_id", "La película (movies.id)."),
            ("person_id", "Identificador de la persona en TMDB."),
            ("name", "Nombre de la persona."),
            ("job", "Puesto (Director, Screenplay, Producer…)."),
            ("department", "Departamento del puesto (Directing, Writing, Production…)."),
            ("gender", "Género según TMDB: 0 desconocido, 1 mujer, 2 hombre."),
        ],
    ),
    (
        "keywords",
        "Las palabras clave de cada película, de keywords.csv: una fila por película y palabra.",
        &[
            ("movie_id", "La película (movies.id)."),
            ("keyword_id", "Identificador de la palabra clave en TMDB."),
            ("name", "La palabra clave (en inglés)."),
        ],
    ),
    (
        "links",
        "La correspondencia entre los identificadores de MovieLens, IMDb y TMDB, de links.csv.",
        &[
            ("movielens_id", "Identificador de la película en MovieLens (ratings.movielens_id)."),
            ("imdb_id", "Identificador en IMDb, sin el prefijo tt (texto: conserva los ceros iniciales)."),
            ("tmdb_id", "Identificador en TMDB (movies.id)."),
        ],
    ),
    (
        tables::RATINGS,
        "Valoraciones de usuarios de MovieLens, de ratings_small.csv: una fila por usuario y película.",
        &[
            ("user_id", "Identificador anónimo del usuario de MovieLens."),
            ("movielens_id", "La película, en MovieLens (links.movielens_id)."),
            ("rating", "Valoración, de 0,5 a 5 estrellas en pasos de 0,5."),
            ("rated_at", "Momento de la valoración, en segundos desde el 1 de enero de 1970 (UTC)."),
        ],
    ),
];

/// A table's columns as the build has them: (name, Arrow type), in schema order.
pub type Schema = Vec<(String, String)>;

/// Fails naming every published column without a meaning, every meaning of a column or
/// table that does not exist, and every column the SQL does or does not profile wrongly.
pub fn check_complete(schemas: &BTreeMap<String, Schema>, profiled: &BTreeSet<(String, String)>) -> Result<()> {
    let mut problems = Vec::new();
    let meanings: BTreeMap<&str, &[(&str, &str)]> = MEANINGS.iter().map(|(t, _, cols)| (*t, *cols)).collect();
    for (table, schema) in schemas {
        let Some(described) = meanings.get(table.as_str()) else {
            problems.push(format!("table {table} is published but has no entry in MEANINGS"));
            continue;
        };
        for (column, _) in schema {
            if !described.iter().any(|(c, _)| c == column) {
                problems.push(format!("{table}.{column} is published but has no meaning"));
            }
            if !profiled.contains(&(table.clone(), column.clone())) {
                problems.push(format!("{table}.{column} is published but sql/render/dictionary.sql does not profile it"));
            }
        }
        for (column, _) in *described {
            if !schema.iter().any(|(c, _)| c == column) {
                problems.push(format!("the meaning of {table}.{column} names a column that does not exist"));
            }
        }
    }
    for table in meanings.keys().filter(|t| !schemas.contains_key(**t)) {
        problems.push(format!("MEANINGS describes table {table}, which is not published"));
    }
    for (table, column) in profiled {
        if !schemas.get(table).is_some_and(|s| s.iter().any(|(c, _)| c == column)) {
            problems.push(format!("sql/render/dictionary.sql profiles {table}.{column}, which is not published"));
        }
    }
    if !problems.is_empty() {
        bail!("the data dictionary is out of date (src/stages/site/dictionary.rs):\n  {}", problems.join("\n  "));
    }
    Ok(())
}

async fn published_schemas(site: &Site<'_>) -> Result<BTreeMap<String, Schema>> {
    let mut schemas = BTreeMap::new();
    for table in tables::CLEAN {
        let frame = site.ctx.table(*table).await?;
        let columns = frame.schema().fields().iter().map(|f| (f.name().clone(), f.data_type().to_string())).collect();
        schemas.insert(table.to_string(), columns);
    }
    Ok(schemas)
}

fn shortened(text: &str) -> String {
    if text.chars().count() > EXAMPLE_CHARS { text.chars().take(EXAMPLE_CHARS - 1).collect::<String>() + "…" } else { text.to_string() }
}

/// datos.html, tables in the order they are published, columns in schema order.
pub async fn render(site: &Site<'_>) -> Result<Written> {
    let schemas = published_schemas(site).await?;
    let mut stats: BTreeMap<(String, String), serde_json::Map<String, Value>> = BTreeMap::new();
    for row in rows(site.ctx, tables::DICTIONARY_COLUMNS).await? {
        let key = (row["table_name"].as_str().unwrap_or_default().to_string(), row["column_name"].as_str().unwrap_or_default().to_string());
        stats.insert(key, row);
    }
    check_complete(&schemas, &stats.keys().cloned().collect())?;
    let mut pages = Vec::new();
    for (table, about, meanings) in MEANINGS {
        let columns: Vec<Value> = schemas[*table]
            .iter()
            .map(|(column, data_type)| {
                let s = &stats[&(table.to_string(), column.clone())];
                let meaning = meanings.iter().find(|(c, _)| c == column).map_or("", |(_, m)| m);
                json!({
                    "name": column, "type": data_type, "meaning": meaning,
                    "nulls": s["nulls"], "zeros": s["zeros"], "example": s["example"].as_str().map(shortened),
                })
            })
            .collect();
        let rows = site.accounting.tables.get(*table).copied().unwrap_or_default();
        pages.push(json!({"name": table, "about": about, "rows": rows, "columns": columns}));
    }
    let bytes = site.writer.page("", "datos.html", "datos.html", context! { root => ".", tables => pages })?;
    Ok(Written { pages: 1, bytes, other_files: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_of(columns: &[&str]) -> Schema {
        columns.iter().map(|c| (c.to_string(), "Int64".to_string())).collect()
    }

    /// The real tables' columns, as the ETL makes them, with every column profiled.
    fn as_described() -> (BTreeMap<String, Schema>, BTreeSet<(String, String)>) {
        let schemas: BTreeMap<String, Schema> =
            MEANINGS.iter().map(|(t, _, cols)| (t.to_string(), schema_of(&cols.iter().map(|(c, _)| *c).collect::<Vec<_>>()))).collect();
        let profiled = schemas.iter().flat_map(|(t, s)| s.iter().map(|(c, _)| (t.clone(), c.clone()))).collect();
        (schemas, profiled)
    }

    #[test]
    fn every_published_table_has_its_meanings_in_publishing_order() {
        let described: Vec<&str> = MEANINGS.iter().map(|(t, _, _)| *t).collect();
        assert_eq!(described, tables::CLEAN);
        for (table, about, columns) in MEANINGS {
            assert!(!about.is_empty() && !columns.is_empty(), "{table}");
            assert!(columns.iter().all(|(_, m)| m.ends_with('.')), "{table}: a meaning is a sentence");
        }
        let (schemas, profiled) = as_described();
        check_complete(&schemas, &profiled).unwrap();
    }

    #[test]
    fn a_column_without_meaning_fails_naming_it() {
        let (mut schemas, mut profiled) = as_described();
        schemas.get_mut("movies").unwrap().push(("director_id".into(), "Int64".into()));
        profiled.insert(("movies".into(), "director_id".into()));
        let error = check_complete(&schemas, &profiled).unwrap_err().to_string();
        assert!(error.contains("movies.director_id is published but has no meaning"), "{error}");
    }

    #[test]
    fn a_meaning_of_a_column_that_is_gone_fails_naming_it() {
        let (mut schemas, mut profiled) = as_described();
        schemas.get_mut("cast").unwrap().retain(|(c, _)| c != "character");
        profiled.remove(&("cast".to_string(), "character".to_string()));
        let error = check_complete(&schemas, &profiled).unwrap_err().to_string();
        assert!(error.contains("the meaning of cast.character names a column that does not exist"), "{error}");
    }

    #[test]
    fn a_column_the_sql_does_not_profile_fails_naming_it() {
        let (schemas, mut profiled) = as_described();
        profiled.remove(&("ratings".to_string(), "rating".to_string()));
        profiled.insert(("ratings".to_string(), "stars".to_string()));
        let error = check_complete(&schemas, &profiled).unwrap_err().to_string();
        assert!(error.contains("ratings.rating is published but sql/render/dictionary.sql does not profile it"), "{error}");
        assert!(error.contains("profiles ratings.stars, which is not published"), "{error}");
    }

    #[test]
    fn long_examples_are_cut() {
        assert_eq!(shortened("corto"), "corto");
        let long = "x".repeat(200);
        assert_eq!(shortened(&long).chars().count(), EXAMPLE_CHARS);
        assert!(shortened(&long).ends_with('…'));
    }
}
