//! Person pages: `people/<id>.html`, for the people sql/render/people.sql pages,
//! with their get_actor and get_director answers.

use std::collections::HashMap;

use anyhow::Result;
use minijinja::context;
use serde_json::Value;

use super::{Site, Written, render_rows};
use crate::foundation::tables;

pub async fn render(site: &Site<'_>) -> Result<Written> {
    let (actors, directors) = (&site.people_answers.actors, &site.people_answers.directors);
    render_rows(site, tables::PAGE_PEOPLE, "people", "person.html", |mut p| {
        p.sort_lists(&[("films", &["date", "id", "role"])]);
        let id = p.int("person_id");
        let answer = |texts: &HashMap<i64, String>| texts.get(&id).and_then(|t| serde_json::from_str::<Value>(t).ok());
        (id, context! { root => "..", person => p.into_value(), actor => answer(actors), director => answer(directors) })
    })
    .await
}
