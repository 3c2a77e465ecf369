//! The client-side search: movies, people and collections in a word index under
//! search/ (see `foundation::published::word_index`), described by search/index.json.

use anyhow::{Context, Result};
use datafusion::arrow::array::{Array, RecordBatch};
use serde_json::{Value, json};

use std::collections::HashMap;

use super::values::hash_batches;
use super::{Site, Written};
use crate::foundation::cells::{int_at, json_value, str_at};
use crate::foundation::fingerprint::{Fingerprint, Fingerprinter};
use crate::foundation::published::word_index::Builder;
use crate::foundation::tables;
use crate::settings::SEARCH_RESULTS;

/// One result before ranking: popularity, then a total order, then what is shown.
struct Hit {
    votes: i64,
    /// 0 movie, 1 person, 2 collection, then its id or name: ties break the same way every build.
    kind: u8,
    tie: String,
    name: String,
    detail: String,
    url: String,
}

fn films(n: i64) -> String {
    if n == 1 { "1 película".to_string() } else { format!("{} películas", crate::foundation::format::spanish_integer(n as f64)) }
}

fn column<'a>(batch: &'a RecordBatch, table: &str, name: &str) -> Result<&'a dyn Array> {
    batch.column_by_name(name).map(|c| c.as_ref()).with_context(|| format!("{table}.{name}"))
}

fn movies(batches: &[RecordBatch], hits: &mut Vec<Hit>) -> Result<()> {
    for batch in batches {
        let col = |name| column(batch, tables::SEARCH_MOVIES, name);
        let (ids, titles, years, votes) = (col("id")?, col("title")?, col("release_year")?, col("votes")?);
        for row in 0..batch.num_rows() {
            let (Some(id), Some(title)) = (int_at(ids, row), str_at(titles, row)) else { continue };
            let detail = int_at(years, row).map_or("Película".to_string(), |y| format!("Película · {y}"));
            hits.push(Hit {
                votes: int_at(votes, row).unwrap_or(0),
                kind: 0,
                tie: format!("{id:020}"),
                name: title.to_string(),
                detail,
                url: format!("movies/{id}.html"),
            });
        }
    }
    Ok(())
}

fn people(batches: &[RecordBatch], hits: &mut Vec<Hit>) -> Result<()> {
    for batch in batches {
        let col = |name| column(batch, tables::SEARCH_PEOPLE, name);
        let (ids, names, counts, some_movie) = (col("person_id")?, col("name")?, col("films")?, col("some_movie")?);
        let (has_page, directs, votes) = (col("has_page")?, col("directs")?, col("votes")?);
        for row in 0..batch.num_rows() {
            let (Some(id), Some(name)) = (int_at(ids, row), str_at(names, row)) else { continue };
            // People without a page (most actors of one or two films) open one of their movies.
            let url = if json_value(has_page, row) == Value::Bool(true) {
                format!("people/{id}.html")
            } else {
                format!("movies/{}.html", int_at(some_movie, row).unwrap_or_default())
            };
            let role = if json_value(directs, row) == Value::Bool(true) { "Dirección" } else { "Reparto" };
            hits.push(Hit {
                votes: int_at(votes, row).unwrap_or(0),
                kind: 1,
                tie: format!("{id:020}"),
                name: name.to_string(),
                detail: format!("{role} · {}", films(int_at(counts, row).unwrap_or(0))),
                url,
            });
        }
    }
    Ok(())
}

fn collections(batches: &[RecordBatch], pages: &HashMap<(String, String), String>, hits: &mut Vec<Hit>) -> Result<()> {
    for batch in batches {
        let col = |name| column(batch, tables::SEARCH_COLLECTIONS, name);
        let (names, counts, votes) = (col("name")?, col("films")?, col("votes")?);
        for row in 0..batch.num_rows() {
            let Some(name) = str_at(names, row) else { continue };
            // The browse pages say where each collection lives (a one-film one is its movie).
            let Some(url) = pages.get(&("collection".to_string(), name.to_string())) else { continue };
            hits.push(Hit {
                votes: int_at(votes, row).unwrap_or(0),
                kind: 2,
                tie: name.to_string(),
                name: name.to_string(),
                detail: format!("Colección · {}", films(int_at(counts, row).unwrap_or(0))),
                url: url.clone(),
            });
        }
    }
    Ok(())
}

/// What the search files are made from besides the program: the three search tables,
/// cell by cell, and where each collection's page is. A rebuild whose changes reach
/// none of these (a movie's popularity, say) links the files of the previous build.
fn tables_print(tables: [&[RecordBatch]; 3], pages: &HashMap<(String, String), String>) -> Fingerprint {
    let mut print = Fingerprinter::new("search tables");
    for batches in tables {
        hash_batches(&mut print, batches);
    }
    let mut collections: Vec<(&String, &String)> =
        pages.iter().filter(|((facet, _), _)| facet == "collection").map(|((_, label), page)| (label, page)).collect();
    collections.sort();
    print.add_u64(collections.len() as u64);
    for (label, page) in collections {
        print.add_str(label).add_str(page);
    }
    print.finish()
}

/// Writes search/index.json and the index files, most popular records first.
pub async fn render(site: &Site<'_>) -> Result<Written> {
    let collect = |table: &'static str| async move { site.ctx.table(table).await?.collect().await.map_err(anyhow::Error::from) };
    let (movie_rows, people_rows, collection_rows) =
        (collect(tables::SEARCH_MOVIES).await?, collect(tables::SEARCH_PEOPLE).await?, collect(tables::SEARCH_COLLECTIONS).await?);
    let no_pages = HashMap::new();
    let pages = site.facet_pages.get().unwrap_or(&no_pages);
    let made_from = site.writer.kind_tables_print(tables_print([&movie_rows, &people_rows, &collection_rows], pages))?;
    if let Some(files) = site.writer.link_kind_files(made_from)? {
        return Ok(Written { pages: 0, bytes: 0, other_files: files });
    }
    let mut hits = Vec::new();
    movies(&movie_rows, &mut hits)?;
    people(&people_rows, &mut hits)?;
    collections(&collection_rows, pages, &mut hits)?;
    drop((movie_rows, people_rows, collection_rows));
    hits.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.kind.cmp(&b.kind)).then_with(|| a.tie.cmp(&b.tie)));
    let mut builder = Builder::default();
    for hit in &hits {
        builder.add(&hit.name, &[json!(hit.name), json!(hit.detail), json!(hit.url)]);
    }
    drop(hits);
    let built = builder.finish();
    let dir = site.writer.out.join("search");
    for sub in ["e", "w"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let count = built.files.len() + 1;
    for (path, bytes) in built.files {
        site.writer.send_kind_file_made(dir.join(path), bytes, made_from)?;
    }
    let mut index = built.meta;
    index["limit"] = json!(SEARCH_RESULTS);
    index["record"] = json!("[popularity rank, name, detail, url from the site's root]");
    index["scheme"] = json!(
        "see src/foundation/published/word_index.rs: e/NNNN.json entry files by word prefix, w/NNNN.json words by 3-character subsequence"
    );
    site.writer.send_kind_file_made(dir.join("index.json"), serde_json::to_string_pretty(&index)?.into_bytes(), made_from)?;
    Ok(Written { pages: 0, bytes: 0, other_files: count })
}
