//! Person pages: `people/<id>.html`, for the people sql/render/people.sql pages,
//! with their get_actor and get_director answers.

use std::collections::HashMap;

use anyhow::Result;
use minijinja::context;
use serde_json::Value;

use super::{RowPages, Site, Written, page_chunks, render_rows};
use crate::foundation::cells::int_at;
use crate::foundation::fingerprint::Fingerprinter;
use crate::foundation::tables;

/// How a person's films are put in order (SQL aggregates them unordered).
const FILM_ORDER: &[(&str, &[&str])] = &[("films", &["date", "id", "role"])];

pub async fn render(site: &Site<'_>) -> Result<Written> {
    let (actors, directors) = (&site.people_answers.actors, &site.people_answers.directors);
    let pages = RowPages {
        table: tables::PAGE_PEOPLE,
        dir: "people",
        template: "person.html",
        id: "person_id",
        sorted: &["films"],
        globals: Fingerprinter::new("person pages").finish(),
        chunks: page_chunks(site, "people", site.options.page_ranges.person_credits).await?,
    };
    // Besides its row, a person's page shows its two answers, looked up by its id.
    let answers = |batch: &datafusion::arrow::array::RecordBatch, row: usize, print: &mut Fingerprinter| {
        // As the context reads it: no id is id 0.
        let id = batch.column_by_name("person_id").and_then(|c| int_at(c.as_ref(), row)).unwrap_or_default();
        for texts in [actors, directors] {
            match texts.get(&id) {
                Some(text) => print.add_u64(1).add_str(text),
                None => print.add_u64(0),
            };
        }
    };
    render_rows(site, pages, answers, |mut p| {
        p.sort_lists(FILM_ORDER);
        let id = p.int("person_id");
        let answer = |texts: &HashMap<i64, String>| texts.get(&id).and_then(|t| serde_json::from_str::<Value>(t).ok());
        context! { root => "..", person => p.into_value(), actor => answer(actors), director => answer(directors) }
    })
    .await
}
