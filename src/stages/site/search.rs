//! The client-side search index: search/NNN.json shards and search/index.json.

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::{Value, json};

use super::{Site, Written};
use crate::foundation::cells::{int_at, json_value, str_at};
use crate::foundation::published::fnv1a32;
use crate::foundation::published::normalize::normalize_key;
use crate::foundation::tables;
use crate::settings::{SEARCH_PREFIX, SEARCH_RESULTS, SEARCH_SHARDS};

/// One search entry, in the shards' JSON form.
#[derive(Serialize)]
struct SearchEntry<'a> {
    /// Detail: a year or a film count.
    d: &'a str,
    /// The normalised key the client matches on.
    k: &'a str,
    n: &'a str,
    u: &'a str,
}

/// The client-side search index: every title and every person, filed under each word's
/// first characters, so a search fetches one shard.
pub async fn render(site: &Site<'_>) -> Result<Written> {
    let (ctx, writer) = (site.ctx, &site.writer);
    // Each entry is serialised once, then filed under every shard its words pick.
    let mut shards: Vec<Vec<u8>> = vec![Vec::new(); SEARCH_SHARDS as usize];
    let mut file = |name: &str, detail: &str, url: &str| -> Result<()> {
        let key = normalize_key(name);
        let json = serde_json::to_vec(&SearchEntry { d: detail, k: &key, n: name, u: url })?;
        let mut picked: Vec<usize> = key
            .split(' ')
            .filter(|w| w.chars().count() >= SEARCH_PREFIX)
            .map(|w| {
                let prefix: String = w.chars().take(SEARCH_PREFIX).collect();
                (fnv1a32(&prefix) % SEARCH_SHARDS) as usize
            })
            .collect();
        picked.sort_unstable();
        picked.dedup();
        for shard in picked {
            let buf = &mut shards[shard];
            buf.push(if buf.is_empty() { b'[' } else { b',' });
            buf.extend_from_slice(&json);
        }
        Ok(())
    };
    for batch in ctx.table(tables::SEARCH_MOVIES).await?.collect().await? {
        let col = |name: &str| batch.column_by_name(name).with_context(|| format!("search_movies.{name}"));
        let (ids, titles, years) = (col("id")?, col("title")?, col("release_year")?);
        for row in 0..batch.num_rows() {
            let (Some(id), Some(title)) = (int_at(ids, row), str_at(titles, row)) else { continue };
            let year = int_at(years, row).map(|y| y.to_string()).unwrap_or_default();
            file(title, &year, &format!("movies/{id}.html"))?;
        }
    }
    for batch in ctx.table(tables::SEARCH_PEOPLE).await?.collect().await? {
        let col = |name: &str| batch.column_by_name(name).with_context(|| format!("search_people.{name}"));
        let (ids, names, films, some_movie, has_page) =
            (col("person_id")?, col("name")?, col("films")?, col("some_movie")?, col("has_page")?);
        for row in 0..batch.num_rows() {
            let (Some(id), Some(name)) = (int_at(ids, row), str_at(names, row)) else { continue };
            let url = if json_value(has_page.as_ref(), row) == Value::Bool(true) {
                format!("people/{id}.html")
            } else {
                format!("movies/{}.html", int_at(some_movie, row).unwrap_or_default())
            };
            let n = int_at(films, row).unwrap_or_default();
            let detail = if n == 1 { "1 película".to_string() } else { format!("{n} películas") };
            file(name, &detail, &url)?;
        }
    }
    let dir = writer.out.join("search");
    let count = shards.len() + 1;
    for (i, mut shard) in shards.into_iter().enumerate() {
        if shard.is_empty() {
            shard.push(b'[');
        }
        shard.push(b']');
        writer.sink.send(dir.join(format!("{i:03}.json")), shard)?;
    }
    let index = json!({
        "prefix": SEARCH_PREFIX,
        "shards": SEARCH_SHARDS,
        "limit": SEARCH_RESULTS,
        "scheme": "entries {n: name, d: detail, u: url, k: normalised key} are filed under fnv1a32(first `prefix` characters of each word of k) % shards, in search/NNN.json",
    });
    writer.sink.send(dir.join("index.json"), serde_json::to_string_pretty(&index)?.into_bytes())?;
    Ok(Written { pages: 0, bytes: 0, other_files: count })
}
