//! The top-level pages: index.html and questions.html.

use anyhow::Result;
use minijinja::{Value as Mj, context};
use serde_json::{Value, json};

use super::{Site, SiteStats, Written};
use crate::stages::questions::QUESTIONS;

/// questions.html: every question, answered in the browser from the bundle.
pub async fn questions(site: &Site<'_>) -> Result<Written> {
    let questions: Vec<Value> =
        QUESTIONS.iter().map(|q| json!({"name": q.name, "input": q.input, "variants": q.variants, "description": q.description})).collect();
    let bytes = site.writer.page("", "questions.html", "questions.html", context! { root => ".", questions => questions })?;
    Ok(Written { pages: 1, bytes, other_files: 0 })
}

/// 404.html, which static hosts (GitHub Pages, Netlify, nginx's error_page) serve for
/// any missing path, however deep. With a base URL its links are absolute, so they
/// reach the site from any depth; without one they are relative to the site's root.
pub async fn not_found(site: &Site<'_>) -> Result<Written> {
    let root = match &site.options.base_url {
        // Escaped here, like the canonical links, so `/` is not written as `&#x2f;`.
        Some(base) => Mj::from_safe_string(super::sitemap::xml_escape(base.as_str().trim_end_matches('/'))),
        None => Mj::from("."),
    };
    let bytes = site.writer.page("", "404.html", "404.html", context! { root => root })?;
    Ok(Written { pages: 1, bytes, other_files: 0 })
}

/// index.html: what was built, from what, and where to go next.
pub async fn index(site: &Site<'_>, so_far: &SiteStats) -> Result<Written> {
    let accounting = site.accounting;
    let bytes = site.writer.page(
        "",
        "index.html",
        "index.html",
        context! { root => ".", tables => &accounting.tables, inputs => &accounting.inputs, people_pages => so_far.pages_of("people") },
    )?;
    Ok(Written { pages: 1, bytes, other_files: 0 })
}
