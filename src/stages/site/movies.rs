//! Movie pages: `movies/<id>.html`, one per movie.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Result;
use minijinja::{Value as Mj, context};

use datafusion::arrow::array::RecordBatch;

use super::values::{PageRow, as_i64, column, hash_unordered_list, rows, sorted_items, template_value};
use super::{RowPages, Site, Written, page_chunks, render_rows};
use crate::foundation::cells::int_at;
use crate::foundation::fingerprint::{Fingerprint, Fingerprinter};
use crate::foundation::tables;
use crate::settings::MOVIE_PAGE_CAST;

/// How a movie's lists are put in display order (SQL aggregates them unordered).
const MOVIE_LIST_ORDER: &[(&str, &[&str])] = &[
    ("genres", &[]),
    ("companies", &[]),
    ("countries", &[]),
    ("languages", &[]),
    ("directors", &["person_id", "name"]),
    ("top_cast", &["billing"]),
    ("recommendations", &["rank"]),
];

/// The lists of `MOVIE_LIST_ORDER`, by name.
const SORTED: [&str; MOVIE_LIST_ORDER.len()] = {
    let mut names = [""; MOVIE_LIST_ORDER.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = MOVIE_LIST_ORDER[i].0;
        i += 1;
    }
    names
};

pub async fn render(site: &Site<'_>) -> Result<Written> {
    let ctx = site.ctx;
    let paged: HashSet<i64> = rows(ctx, tables::PAGED_PEOPLE).await?.iter().map(|p| as_i64(&p["person_id"])).collect();
    let mut collections: HashMap<i64, Vec<Mj>> = HashMap::new();
    let mut collection_prints: HashMap<i64, Fingerprint> = HashMap::new();
    for batch in ctx.table(tables::PAGE_COLLECTIONS).await?.collect().await? {
        let (ids, members) = (column(&batch, "collection_id")?, column(&batch, "members")?);
        for row in 0..batch.num_rows() {
            let Some(id) = int_at(ids, row) else { continue };
            collections.insert(id, sorted_items(&template_value(members, row), &["date", "id"]));
            let mut print = Fingerprinter::new("collection members");
            // Put in order here, in whatever order SQL gives them.
            hash_unordered_list(&mut print, members, row);
            collection_prints.insert(id, print.finish());
        }
    }
    let no_pages = HashMap::new();
    let facet_pages = site.facet_pages.get().unwrap_or(&no_pages);
    let pages = RowPages {
        table: tables::PAGE_MOVIES,
        dir: "movies",
        template: "movie.html",
        id: "id",
        sorted: &SORTED,
        globals: globals(&paged, facet_pages),
        chunks: page_chunks(site, "movies", site.options.page_ranges.movies).await?,
    };
    // Besides its row, a movie's page shows the other members of its collection.
    let members_of = |batch: &RecordBatch, row: usize, print: &mut Fingerprinter| {
        let collection = batch.column_by_name("collection_id").and_then(|c| int_at(c.as_ref(), row));
        match collection.and_then(|c| collection_prints.get(&c)) {
            Some(members) => print.add_u64(1).add_fingerprint(*members),
            None => print.add_u64(0),
        };
    };
    render_rows(site, pages, members_of, |mut m| {
        m.sort_lists(MOVIE_LIST_ORDER);
        let id = m.int("id");
        let members: Vec<Mj> = m
            .get("collection_id")
            .as_i64()
            .and_then(|c| collections.get(&c))
            .map(|list| list.iter().filter(|x| x.get_attr("id").ok().and_then(|v| v.as_i64()) != Some(id)).cloned().collect())
            .unwrap_or_default();
        let paged = paged_flags(&m, &paged);
        let links = facet_links(&m, facet_pages);
        context! { root => "..", movie => m.into_value(), collection_members => members, paged => paged, cast_shown => MOVIE_PAGE_CAST, links => links }
    })
    .await
}

/// What every movie page may look up outside its row: who has a page of their own, and
/// every browse value's page. (The cast shown is the program's, in its fingerprint.)
fn globals(paged: &HashSet<i64>, facet_pages: &HashMap<(String, String), String>) -> Fingerprint {
    let mut print = Fingerprinter::new("movie pages");
    let mut people: Vec<i64> = paged.iter().copied().collect();
    people.sort_unstable();
    print.add_u64(people.len() as u64);
    for id in people {
        print.add_u64(id as u64);
    }
    let mut pages: Vec<(&(String, String), &String)> = facet_pages.iter().collect();
    pages.sort();
    print.add_u64(pages.len() as u64);
    for ((facet, label), page) in pages {
        print.add_str(facet).add_str(label).add_str(page);
    }
    print.finish()
}

/// Which of a movie's people have pages of their own (the others are plain text).
fn paged_flags(movie: &PageRow<'_>, paged: &HashSet<i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ["directors", "top_cast"]
        .iter()
        .filter_map(|k| movie.get(k).try_iter().ok())
        .flatten()
        .filter_map(|p| p.get_attr("person_id").ok().and_then(|v| v.as_i64()))
        .filter(|id| paged.contains(id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Where each of a movie's genres, companies, countries, collection, year and
/// original language is browsed: (label, page from the site's root) lists by facet.
fn facet_links(movie: &PageRow<'_>, pages: &HashMap<(String, String), String>) -> BTreeMap<&'static str, Vec<(String, Option<String>)>> {
    let link = |facet: &str, label: String| {
        let page = pages.get(&(facet.to_string(), label.clone())).cloned();
        (label, page)
    };
    let text = |v: Mj| -> Option<String> {
        if v.is_none() || v.is_undefined() { None } else { Some(v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())) }
    };
    let mut out = BTreeMap::new();
    for (field, facet) in [("genres", "genre"), ("companies", "company"), ("countries", "country")] {
        let labels: Vec<String> = movie.get(field).try_iter().map(|it| it.filter_map(text).collect()).unwrap_or_default();
        out.insert(facet, labels.into_iter().map(|l| link(facet, l)).collect());
    }
    for (field, facet) in [("collection_name", "collection"), ("release_year", "year"), ("original_language", "language")] {
        out.insert(facet, text(movie.get(field)).map(|l| link(facet, l)).into_iter().collect());
    }
    out
}
