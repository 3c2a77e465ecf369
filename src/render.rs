//! Render stage: the static site, from templates/ with minijinja.
//!
//! Page data comes from sql/render/*.sql; every value is auto-escaped by the
//! templates, and every file name is an id or a slug checked by `publish::safe_join`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use datafusion::arrow::array::RecordBatch;
use datafusion::prelude::SessionContext;
use minijinja::{AutoEscape, Environment, Value as Mj, context};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::bundle::fnv1a32;
use crate::etl::Accounting;
use crate::normalize::normalize_key;
use crate::publish::{FileSink, safe_join};
use crate::queries::{PeopleAnswers, SortKey, compare_in_turn, int_at, json_value, str_at};
use crate::questions::QUESTIONS;
use crate::stages::{trace, trace_note};

#[derive(Debug, Default, Clone, Serialize)]
pub struct SiteStats {
    pub pages: usize,
    pub bytes: u64,
    pub movie_pages: usize,
    pub person_pages: usize,
    pub browse_pages: usize,
    pub search_files: usize,
    /// Files written anew, and files hard-linked unchanged from the previous output.
    pub files_written: usize,
    pub files_linked: usize,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("movie.html", include_str!("../templates/movie.html")),
    ("person.html", include_str!("../templates/person.html")),
    ("browse_index.html", include_str!("../templates/browse_index.html")),
    ("facet.html", include_str!("../templates/facet.html")),
    ("facet_value.html", include_str!("../templates/facet_value.html")),
    ("questions.html", include_str!("../templates/questions.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("chart.svg", include_str!("../templates/chart.svg")),
];

const STATIC_FILES: &[(&str, &str)] =
    &[("marquee.js", include_str!("../templates/static/marquee.js")), ("style.css", include_str!("../templates/static/style.css"))];

/// Templates are compiled in, so the binary renders the same site wherever it runs.
pub fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    env.add_filter("money", |v: Option<f64>| v.map_or("—".to_string(), |v| crate::questions::int(&obj("v", v), "v")));
    env.add_filter("num", |v: Option<f64>, places: Option<usize>| {
        v.map_or("—".to_string(), |v| crate::questions::decimal(&obj("v", v), "v", places.unwrap_or(2)))
    });
    Ok(env)
}

fn obj(key: &str, v: f64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(key.to_string(), json!(v));
    m
}

/// A file-name-safe, unique slug for a label: ascii words, then a hash of the label.
pub fn slug(label: &str) -> String {
    let words: String = normalize_key(label).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let words: Vec<&str> = words.split('-').filter(|w| !w.is_empty()).collect();
    let mut base = words.join("-");
    base.truncate(60);
    let base = base.trim_end_matches('-');
    let hash = format!("{:08x}", fnv1a32(label));
    if base.is_empty() { hash } else { format!("{base}-{hash}") }
}

async fn rows(ctx: &SessionContext, table: &str) -> Result<Vec<Map<String, Value>>> {
    let batches = ctx.table(table).await.with_context(|| format!("table {table}"))?.collect().await?;
    Ok(batches_to_rows(&batches))
}

fn batches_to_rows(batches: &[RecordBatch]) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let map =
                schema.fields().iter().enumerate().map(|(i, f)| (f.name().clone(), json_value(batch.column(i).as_ref(), row))).collect();
            out.push(map);
        }
    }
    out
}

/// Renders pages (on the calling thread) and queues them for the file writer.
struct Writer<'a> {
    env: &'a Environment<'static>,
    out: &'a Path,
    sink: &'a FileSink,
}

impl Writer<'_> {
    fn page(&self, rel_dir: &str, name: &str, template: &str, ctx: minijinja::Value) -> Result<u64> {
        let dir = if rel_dir.is_empty() { self.out.to_path_buf() } else { self.out.join(rel_dir) };
        let path = safe_join(&dir, name)?;
        let html = self.env.get_template(template)?.render(ctx).with_context(|| format!("rendering {rel_dir}/{name}"))?;
        let len = html.len() as u64;
        self.sink.send(path, html.into_bytes())?;
        Ok(len)
    }
}

fn as_i64(v: &Value) -> i64 {
    v.as_i64().unwrap_or_default()
}

pub async fn site(
    ctx: &SessionContext,
    accounting: &Accounting,
    people_answers: &PeopleAnswers,
    out: &Path,
    previous: Option<&Path>,
) -> Result<SiteStats> {
    let env = environment()?;
    for dir in ["movies", "people", "browse", "search", "static"] {
        std::fs::create_dir_all(out.join(dir))?;
    }
    for dir in FACETS {
        std::fs::create_dir_all(out.join("browse").join(dir.0))?;
    }
    let sink = FileSink::start(out, previous);
    let writer = Writer { env: &env, out, sink: &sink };
    let mut stats = write_pages(ctx, accounting, people_answers, &writer).await?;
    drop(writer);
    let files = sink.finish()?;
    trace_note(&format!("file writer busy {:.3} s for {} files", files.busy_s, files.written + files.linked));
    (stats.files_written, stats.files_linked) = (files.written, files.linked);
    Ok(stats)
}

async fn write_pages(
    ctx: &SessionContext,
    accounting: &Accounting,
    people_answers: &PeopleAnswers,
    writer: &Writer<'_>,
) -> Result<SiteStats> {
    let mut clock = std::time::Instant::now();
    let mut stats = SiteStats::default();
    for (name, text) in STATIC_FILES {
        writer.sink.send(safe_join(&writer.out.join("static"), name)?, text.as_bytes().to_vec())?;
    }
    render_sql(ctx, "01_people.sql").await?;
    render_sql(ctx, "02_movie_pages.sql").await?;
    trace("people and movie page sql", &mut clock);

    let paged: HashSet<i64> = rows(ctx, "paged_people").await?.iter().map(|p| as_i64(&p["person_id"])).collect();
    let actor_answers = &people_answers.actors;
    let director_answers = &people_answers.directors;

    let mut collections: HashMap<i64, Vec<Mj>> = HashMap::new();
    for batch in ctx.table("page_collections").await?.collect().await? {
        let (ids, members) = (column(&batch, "collection_id")?, column(&batch, "members")?);
        for row in 0..batch.num_rows() {
            let Some(id) = int_at(ids, row) else { continue };
            collections.insert(id, sorted_items(&template_value(members, row), &["date", "id"]));
        }
    }
    let (pages, bytes) = render_rows(ctx, "page_movies", writer, "movies", "movie.html", |mut m| {
        m.sort_lists(MOVIE_LIST_ORDER);
        let id = m.int("id");
        let members: Vec<Mj> = m
            .get("collection_id")
            .as_i64()
            .and_then(|c| collections.get(&c))
            .map(|list| list.iter().filter(|x| x.get_attr("id").ok().and_then(|v| v.as_i64()) != Some(id)).cloned().collect())
            .unwrap_or_default();
        let paged = paged_flags(&m, &paged);
        (id, context! { root => "..", movie => m.into_value(), collection_members => members, paged => paged })
    })
    .await?;
    stats.movie_pages = pages;
    stats.bytes += bytes;
    release(ctx, &["page_movies", "page_collections"])?;
    trace("movie pages", &mut clock);

    let (pages, bytes) = render_rows(ctx, "page_people", writer, "people", "person.html", |mut p| {
        p.sort_lists(&[("films", &["date", "id", "role"])]);
        let id = p.int("person_id");
        let answer = |texts: &HashMap<i64, String>| texts.get(&id).and_then(|t| serde_json::from_str::<Value>(t).ok());
        (id, context! { root => "..", person => p.into_value(), actor => answer(actor_answers), director => answer(director_answers) })
    })
    .await?;
    stats.person_pages = pages;
    stats.bytes += bytes;
    release(ctx, &["page_people"])?;

    trace("person pages", &mut clock);
    render_sql(ctx, "03_browse.sql").await?;
    let (browse_pages, browse_bytes) = render_browse(ctx, writer).await?;
    trace("browse pages", &mut clock);
    stats.browse_pages = browse_pages;
    stats.bytes += browse_bytes;

    render_sql(ctx, "05_search.sql").await?;
    stats.search_files = write_search_index(ctx, writer).await?;
    trace("search index", &mut clock);

    let questions: Vec<Value> =
        QUESTIONS.iter().map(|q| json!({"name": q.name, "input": q.input, "variants": q.variants, "description": q.description})).collect();
    stats.bytes += writer.page("", "questions.html", "questions.html", context! { root => ".", questions => questions })?;
    render_sql(ctx, "04_report.sql").await?;
    stats.bytes += render_report(ctx, writer, accounting).await?;
    trace("report", &mut clock);
    let counts = &accounting.tables;
    stats.bytes += writer.page(
        "",
        "index.html",
        "index.html",
        context! { root => ".", tables => counts, inputs => &accounting.inputs, people_pages => stats.person_pages },
    )?;
    stats.pages = stats.movie_pages + stats.person_pages + stats.browse_pages + 3;
    Ok(stats)
}

/// Render scripts that may run on every core without changing a byte of output: they
/// sum no floating-point values, their tables are ordered by unique keys and their
/// lists are put in order in Rust. (The report's statistics stay on one partition.)
const PARALLEL_SAFE_SQL: &[&str] = &["01_people.sql", "02_movie_pages.sql", "03_browse.sql"];

/// Runs one of sql/render/*.sql.
async fn render_sql(ctx: &SessionContext, name: &str) -> Result<()> {
    let script = crate::sql::RENDER.iter().find(|(n, _)| *n == name).with_context(|| format!("no sql/render/{name}"))?;
    let parallel = PARALLEL_SAFE_SQL.contains(&name);
    if parallel {
        crate::etl::set_target_partitions(ctx, crate::etl::cores());
    }
    let result = crate::sql::run_scripts(ctx, std::slice::from_ref(script), "render").await;
    crate::etl::switch_to_deterministic_plans(ctx);
    result
}

/// Page tables are dropped once their pages are written, to keep the peak memory down.
fn release(ctx: &SessionContext, tables: &[&str]) -> Result<()> {
    for table in tables {
        ctx.deregister_table(*table)?;
    }
    Ok(())
}

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

/// One page per row of `table`, `<dir>/<id>.html`, rendered in parallel batch by batch
/// straight from Arrow; returns pages and bytes written.
async fn render_rows(
    ctx: &SessionContext,
    table: &str,
    writer: &Writer<'_>,
    dir: &str,
    template: &str,
    page_context: impl Fn(PageRow) -> (i64, Mj) + Sync,
) -> Result<(usize, u64)> {
    use futures::StreamExt;
    let (mut pages, mut bytes) = (0, 0);
    let mut stream = ctx.table(table).await.with_context(|| format!("table {table}"))?.execute_stream().await?;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
        let written: Vec<u64> = (0..batch.num_rows())
            .into_par_iter()
            .map(|row| {
                let (id, page) = page_context(PageRow::read(&batch, &names, row));
                writer.page(dir, &format!("{id}.html"), template, page)
            })
            .collect::<Result<_>>()?;
        pages += written.len();
        bytes += written.iter().sum::<u64>();
    }
    Ok((pages, bytes))
}

/// Which of a movie's people have pages of their own (the others are plain text).
fn paged_flags(movie: &PageRow, paged: &HashSet<i64>) -> Vec<i64> {
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

/// One row of a page table as template values, built straight from the Arrow columns
/// (a JSON tree in between cost more than the templates themselves).
struct PageRow<'a> {
    names: &'a [String],
    values: Vec<Mj>,
}

impl<'a> PageRow<'a> {
    fn read(batch: &RecordBatch, names: &'a [String], row: usize) -> PageRow<'a> {
        let values = batch.columns().iter().map(|c| template_value(c.as_ref(), row)).collect();
        PageRow { names, values }
    }

    fn get(&self, name: &str) -> Mj {
        self.names.iter().position(|n| n == name).map(|i| self.values[i].clone()).unwrap_or(Mj::UNDEFINED)
    }

    fn int(&self, name: &str) -> i64 {
        self.get(name).as_i64().unwrap_or_default()
    }

    fn sort_lists(&mut self, order: &[(&str, &[&str])]) {
        for (field, keys) in order {
            if let Some(i) = self.names.iter().position(|n| n == field) {
                if !(self.values[i].is_none() || self.values[i].is_undefined()) {
                    self.values[i] = Mj::from(sorted_items(&self.values[i], keys));
                }
            }
        }
    }

    fn into_value(self) -> Mj {
        self.names.iter().map(String::as_str).zip(self.values).collect()
    }
}

fn column<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b dyn datafusion::arrow::array::Array> {
    Ok(batch.column_by_name(name).with_context(|| format!("no column {name}"))?.as_ref())
}

/// One Arrow cell as a template value (the types the page tables use).
fn template_value(array: &dyn datafusion::arrow::array::Array, row: usize) -> Mj {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::{DataType, Float64Type};
    if array.is_null(row) {
        return Mj::from(());
    }
    if let Some(text) = str_at(array, row) {
        return Mj::from(text);
    }
    if let Some(n) = int_at(array, row) {
        return Mj::from(n);
    }
    match array.data_type() {
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            if v.is_finite() { Mj::from(v) } else { Mj::from(()) }
        }
        DataType::Boolean => Mj::from(array.as_boolean().value(row)),
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            (0..items.len()).map(|i| template_value(items.as_ref(), i)).collect()
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            fields.iter().enumerate().map(|(i, f)| (f.name().as_str(), template_value(s.column(i).as_ref(), row))).collect()
        }
        _ => Mj::from(datafusion::arrow::util::display::array_value_to_string(array, row).unwrap_or_default()),
    }
}

/// A list's items sorted like `queries::sort_list`: by the given fields in turn (numbers
/// by value, text lexicographically, nulls first), plain values by themselves.
fn sorted_items(list: &Mj, fields: &[&str]) -> Vec<Mj> {
    let mut items: Vec<Mj> = list.try_iter().map(|it| it.collect()).unwrap_or_default();
    if fields.is_empty() {
        items.sort_by(|a, b| sort_key(a).compare(&sort_key(b)));
    } else {
        let keyed = |v: &Mj, f: &str| v.get_attr(f).unwrap_or(Mj::UNDEFINED);
        items.sort_by(|a, b| {
            compare_in_turn(fields, |f| {
                let (x, y) = (keyed(a, f), keyed(b, f));
                sort_key(&x).compare(&sort_key(&y))
            })
        });
    }
    items
}

fn sort_key(v: &Mj) -> SortKey<'_> {
    use minijinja::value::ValueKind;
    match v.kind() {
        ValueKind::None | ValueKind::Undefined => SortKey::Null,
        ValueKind::Number => SortKey::Number(f64::try_from(v.clone()).unwrap_or(0.0)),
        ValueKind::String => v.as_str().map_or(SortKey::Other, SortKey::Text),
        _ => SortKey::Other,
    }
}

const FACETS: &[(&str, &str)] = &[
    ("year", "Release year"),
    ("genre", "Genre"),
    ("country", "Production country"),
    ("company", "Production company"),
    ("collection", "Collection"),
    ("language", "Original language"),
];

/// Gives every page of one facet its own file: labels whose slugs collide (same words
/// and the same 32-bit hash) are ordered by label, and all but the first get `-2`,
/// `-3`, ... after the hash, a form `slug` never produces.
fn disambiguate_files(values: &mut [Map<String, Value>]) {
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, v) in values.iter().enumerate() {
        if v["single"] != true {
            by_file.entry(v["file"].as_str().unwrap_or_default().to_string()).or_default().push(i);
        }
    }
    for (file, mut claimants) in by_file.into_iter().filter(|(_, c)| c.len() > 1) {
        claimants.sort_by(|&a, &b| values[a]["label"].as_str().cmp(&values[b]["label"].as_str()));
        let stem = file.trim_end_matches(".html").to_string();
        for (n, &i) in claimants.iter().enumerate().skip(1) {
            values[i].insert("file".into(), Value::String(format!("{stem}-{}.html", n + 1)));
        }
    }
}

async fn render_browse(ctx: &SessionContext, writer: &Writer<'_>) -> Result<(usize, u64)> {
    let facets = rows(ctx, "page_facets").await?;
    release(ctx, &["page_facets"])?;
    let mut grouped: BTreeMap<String, Vec<Map<String, Value>>> = BTreeMap::new();
    for mut f in facets {
        let label = f["label"].as_str().unwrap_or_default().to_string();
        // A value with a single movie gets no page of its own: its listing links the movie.
        let single = as_i64(&f["movies"]) == 1;
        let file = if single {
            format!("../../movies/{}.html", as_i64(&f["members"][0]["id"]))
        } else if f["facet"] == "year" {
            format!("{label}.html")
        } else {
            format!("{}.html", slug(&label))
        };
        f.insert("single".into(), Value::Bool(single));
        f.insert("file".into(), Value::String(file));
        if let Some(Value::Array(members)) = f.get_mut("members") {
            members.sort_by(|a, b| {
                let pa = a["popularity"].as_f64().unwrap_or(0.0);
                let pb = b["popularity"].as_f64().unwrap_or(0.0);
                pb.total_cmp(&pa).then(as_i64(&a["id"]).cmp(&as_i64(&b["id"])))
            });
        }
        grouped.entry(f["facet"].as_str().unwrap_or_default().to_string()).or_default().push(f);
    }
    let mut pages = 0;
    let mut bytes = 0;
    let mut summary = Vec::new();
    for (facet, title) in FACETS {
        let mut values = grouped.remove(*facet).unwrap_or_default();
        disambiguate_files(&mut values);
        let dir = format!("browse/{facet}");
        let written: Vec<u64> = values
            .par_iter()
            .filter(|v| v["single"] != true)
            .map(|v| {
                writer.page(
                    &dir,
                    v["file"].as_str().unwrap_or_default(),
                    "facet_value.html",
                    context! { root => "../..", facet => facet, title => title, value => v },
                )
            })
            .collect::<Result<_>>()?;
        pages += written.len();
        bytes += written.iter().sum::<u64>();
        if *facet != "year" {
            values.sort_by(|a, b| as_i64(&b["movies"]).cmp(&as_i64(&a["movies"])).then(a["label"].as_str().cmp(&b["label"].as_str())));
        }
        let listing: Vec<Value> = values.iter().map(|v| json!({"label": v["label"], "movies": v["movies"], "file": v["file"]})).collect();
        bytes += writer.page(
            &dir,
            "index.html",
            "facet.html",
            context! { root => "../..", facet => facet, title => title, values => listing },
        )?;
        pages += 1;
        summary.push(json!({"facet": facet, "title": title, "values": values.len()}));
    }
    bytes += writer.page("browse", "index.html", "browse_index.html", context! { root => "..", facets => summary })?;
    Ok((pages + 1, bytes))
}

/// How many leading characters of a word pick its search shard.
const SEARCH_PREFIX: usize = 2;
const SEARCH_SHARDS: u32 = 512;

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
async fn write_search_index(ctx: &SessionContext, writer: &Writer<'_>) -> Result<usize> {
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
    for batch in ctx.table("search_movies").await?.collect().await? {
        let col = |name: &str| batch.column_by_name(name).with_context(|| format!("search_movies.{name}"));
        let (ids, titles, years) = (col("id")?, col("title")?, col("release_year")?);
        for row in 0..batch.num_rows() {
            let (Some(id), Some(title)) = (int_at(ids, row), str_at(titles, row)) else { continue };
            let year = int_at(years, row).map(|y| y.to_string()).unwrap_or_default();
            file(title, &year, &format!("movies/{id}.html"))?;
        }
    }
    for batch in ctx.table("search_people").await?.collect().await? {
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
    release(ctx, &["search_movies", "search_people"])?;
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
        "limit": 50,
        "scheme": "entries {n: name, d: detail, u: url, k: normalised key} are filed under fnv1a32(first `prefix` characters of each word of k) % shards, in search/NNN.json",
    });
    writer.sink.send(dir.join("index.json"), serde_json::to_string_pretty(&index)?.into_bytes())?;
    Ok(count)
}

/// One bar chart as inline SVG.
fn bar_chart(env: &Environment<'static>, title: &str, bars: &[(String, f64)]) -> Result<String> {
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1.0);
    let (bar_height, gap, left, width) = (18.0, 4.0, 150.0, 420.0);
    let items: Vec<Value> = bars
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let y = i as f64 * (bar_height + gap) + 24.0;
            let label: String = if label.chars().count() > 24 { label.chars().take(23).collect::<String>() + "…" } else { label.clone() };
            json!({"label": label, "value": crate::questions::int(&obj("v", *value), "v"), "y": y, "ty": y + 13.0, "w": (value / max * width).max(1.0)})
        })
        .collect();
    let height = bars.len() as f64 * (bar_height + gap) + 30.0;
    Ok(env
        .get_template("chart.svg")?
        .render(context! { title => title, bars => items, height => height, left => left, bar_height => bar_height })?)
}

async fn render_report(ctx: &SessionContext, writer: &Writer<'_>, accounting: &Accounting) -> Result<u64> {
    let columns = rows(ctx, "report_columns").await?;
    let mut charts = Vec::new();
    let mut by_chart: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for h in rows(ctx, "report_histograms").await? {
        let chart = h["chart"].as_str().unwrap_or_default().to_string();
        let bucket = h["bucket"].as_f64().unwrap_or_default();
        let label = if chart.contains("power of ten") {
            format!("10^{bucket:.0}")
        } else if chart.contains("0.5") {
            format!("{bucket:.1}")
        } else {
            format!("{bucket:.0}")
        };
        by_chart.entry(chart).or_default().push((label, h["movies"].as_f64().unwrap_or_default()));
    }
    for (title, bars) in &by_chart {
        charts.push(json!({"title": title, "svg": bar_chart(writer.env, title, bars)?}));
    }
    let correlations = rows(ctx, "report_correlations").await?;
    let outliers = rows(ctx, "report_outliers").await?;
    let mut top: BTreeMap<String, Vec<Map<String, Value>>> = BTreeMap::new();
    for t in rows(ctx, "report_top").await? {
        top.entry(t["list"].as_str().unwrap_or_default().to_string()).or_default().push(t);
    }
    let mut top_charts = Vec::new();
    for (title, list) in top.iter_mut() {
        list.sort_by(|a, b| b["value"].as_i64().cmp(&a["value"].as_i64()).then(a["label"].as_str().cmp(&b["label"].as_str())));
        let bars: Vec<(String, f64)> =
            list.iter().map(|t| (t["label"].as_str().unwrap_or("").to_string(), t["value"].as_f64().unwrap_or(0.0))).collect();
        top_charts.push(json!({"title": title, "svg": bar_chart(writer.env, title, &bars)?}));
    }
    writer.page(
        "",
        "report.html",
        "report.html",
        context! {
            root => ".",
            inputs => &accounting.inputs,
            tables => &accounting.tables,
            columns => columns,
            charts => charts,
            correlations => correlations,
            outliers => outliers,
            top_charts => top_charts,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two labels with the same words and the same FNV-1a hash (found by a birthday search).
    const COLLIDING_LABELS: (&str, &str) = ("Drama,!,**", "Drama?;;!*?");

    #[test]
    fn colliding_slugs_get_distinct_files() {
        // Found by search: the same words and the same FNV-1a hash.
        let (a, b) = COLLIDING_LABELS;
        assert_eq!(slug(a), slug(b), "the labels collide");
        let value = |label: &str, single: bool| {
            let mut m = Map::new();
            m.insert("label".into(), json!(label));
            m.insert("single".into(), json!(single));
            m.insert("file".into(), json!(format!("{}.html", slug(label))));
            m
        };
        let mut values = vec![value(b, false), value("Other", false), value(a, false), value(b, true)];
        disambiguate_files(&mut values);
        let files: Vec<&str> = values.iter().map(|v| v["file"].as_str().unwrap()).collect();
        let (first, second) = if a < b { (2, 0) } else { (0, 2) };
        assert_eq!(files[first], format!("{}.html", slug(a.min(b))));
        assert_eq!(files[second], format!("{}-2.html", slug(a.min(b))));
        assert_eq!(files[3], files[first], "single-movie values have no page of their own");
        assert!(safe_join(Path::new("/x"), files[second]).is_ok());
    }

    #[test]
    fn slugs_are_safe_and_distinct() {
        for label in ["../../etc/passwd", "Pixar Animation Studios", "日本", "", "a/b", "Ørnås & Co."] {
            let s = slug(label);
            assert!(safe_join(Path::new("/out"), &format!("{s}.html")).is_ok(), "{label} -> {s}");
        }
        assert_ne!(slug("Drama!"), slug("Drama?"));
        assert!(slug("Pixar Animation Studios").starts_with("pixar-animation-studios-"));
    }

    #[test]
    fn template_lists_sort_like_json_lists() {
        let cases = [
            (
                json!([{"date": "2001-01-01", "id": 3}, {"date": null, "id": 9}, {"date": "1999-05-01", "id": 12}, {"date": "2001-01-01", "id": 1}]),
                vec!["date", "id"],
            ),
            (json!([{"rank": 3.5}, {"rank": -1}, {"rank": 10}, {"rank": null}]), vec!["rank"]),
            (json!(["Drama", "Comedy", "Ácción", "drama"]), vec![]),
        ];
        for (list, keys) in cases {
            let mut expected = list.clone();
            crate::queries::sort_list(&mut expected, &keys);
            let sorted = sorted_items(&Mj::from_serialize(&list), &keys);
            assert_eq!(serde_json::to_value(&sorted).unwrap(), expected, "{list}");
        }
    }

    #[test]
    fn data_is_escaped_in_pages() {
        let env = environment().unwrap();
        let html = env
            .get_template("facet_value.html")
            .unwrap()
            .render(context! { root => "../..", facet => "genre", title => "Genre", value => json!({"label": "<script>alert(1)</script>", "movies": 1, "members": [{"id": 1, "title": "\"><img src=x onerror=alert(1)>", "year": 2000}]}) })
            .unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img src=x"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
