//! The client-side search: movies, people and collections in a word index under
//! search/ (see `foundation::published::word_index`), described by search/index.json.

use anyhow::{Context, Result};
use datafusion::arrow::array::{Array, RecordBatch};
use serde_json::{Value, json};

use super::{Site, Written};
use crate::foundation::cells::{int_at, json_value, str_at};
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

async fn movies(site: &Site<'_>, hits: &mut Vec<Hit>) -> Result<()> {
    for batch in site.ctx.table(tables::SEARCH_MOVIES).await?.collect().await? {
        let col = |name| column(&batch, tables::SEARCH_MOVIES, name);
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

async fn people(site: &Site<'_>, hits: &mut Vec<Hit>) -> Result<()> {
    for batch in site.ctx.table(tables::SEARCH_PEOPLE).await?.collect().await? {
        let col = |name| column(&batch, tables::SEARCH_PEOPLE, name);
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

async fn collections(site: &Site<'_>, hits: &mut Vec<Hit>) -> Result<()> {
    let no_pages = Default::default();
    let pages = site.facet_pages.get().unwrap_or(&no_pages);
    for batch in site.ctx.table(tables::SEARCH_COLLECTIONS).await?.collect().await? {
        let col = |name| column(&batch, tables::SEARCH_COLLECTIONS, name);
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

/// Writes search/index.json and the index files, most popular records first.
pub async fn render(site: &Site<'_>) -> Result<Written> {
    let mut hits = Vec::new();
    movies(site, &mut hits).await?;
    people(site, &mut hits).await?;
    collections(site, &mut hits).await?;
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
        site.writer.send_kind_file(dir.join(path), bytes)?;
    }
    let mut index = built.meta;
    index["limit"] = json!(SEARCH_RESULTS);
    index["record"] = json!("[popularity rank, name, detail, url from the site's root]");
    index["scheme"] = json!(
        "see src/foundation/published/word_index.rs: e/NNNN.json entry files by word prefix, w/NNNN.json words by 3-character subsequence"
    );
    site.writer.send_kind_file(dir.join("index.json"), serde_json::to_string_pretty(&index)?.into_bytes())?;
    Ok(Written { pages: 0, bytes: 0, other_files: count })
}
