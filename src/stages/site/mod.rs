//! Site stage: the static site, from templates/ with minijinja.
//!
//! Each kind of page is one entry of [`PAGE_KINDS`] and one file here: the sql/render
//! script that makes its tables, its templates, its directory and its render
//! function. Every value is auto-escaped by the templates, and every file name is an
//! id or a slug checked by `foundation::output::safe_join`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use datafusion::prelude::SessionContext;
use futures::future::LocalBoxFuture;
use minijinja::{Environment, Value as Mj};
use rayon::prelude::*;
use serde::Serialize;

use crate::foundation::engine;
use crate::foundation::engine::scripts::{self, Script};
use crate::foundation::fingerprint::{Fingerprint, Fingerprinter};
use crate::foundation::output::{FileSink, safe_join};
use crate::foundation::reuse::{FileLog, FileRecord};
use crate::foundation::tables;
use crate::foundation::timing::{trace, trace_note};
use crate::sql;
use crate::stages::etl::Accounting;
use crate::stages::questions::PeopleAnswers;

mod browse;
mod home;
mod movies;
mod people;
mod report;
mod search;
pub mod slug;
pub mod templates;
mod values;

use templates::Theme;
use values::PageRow;

/// One kind of page.
pub struct PageKind {
    pub name: &'static str,
    /// The sql/render script that makes its tables, run just before its pages.
    pub sql: Option<Script>,
    /// The script may run on every core without changing a byte of output: it sums no
    /// floating-point values, its tables are ordered by unique keys and its lists are
    /// put in order in Rust. (The report's statistics stay on one partition.)
    pub parallel_sql: bool,
    /// The templates its pages use (besides base.html).
    pub templates: &'static [&'static str],
    /// Where its files go under output/ ("" for the top).
    pub dir: &'static str,
    /// Tables dropped once its pages are written, to keep the peak memory down.
    pub releases: &'static [&'static str],
    pub render: RenderFn,
}

/// Renders a kind's pages; gets the figures of the kinds rendered before it.
pub type RenderFn = for<'a> fn(&'a Site<'a>, &'a SiteStats) -> LocalBoxFuture<'a, Result<Written>>;

/// The page kinds, in the order they are rendered (a kind may read tables that an
/// earlier kind's script made and has not released).
pub const PAGE_KINDS: &[PageKind] = &[
    PageKind {
        name: "people",
        sql: Some(sql!("render/people.sql")),
        parallel_sql: true,
        templates: &["person.html"],
        dir: "people",
        releases: &[tables::PAGE_PEOPLE],
        render: |site, _| Box::pin(people::render(site)),
    },
    PageKind {
        name: "browse",
        sql: Some(sql!("render/browse.sql")),
        parallel_sql: true,
        templates: &["browse_index.html", "facet.html", "facet_value.html"],
        dir: "browse",
        releases: &[tables::PAGE_FACETS],
        render: |site, _| Box::pin(browse::render(site)),
    },
    PageKind {
        name: "movies",
        sql: Some(sql!("render/movie_pages.sql")),
        parallel_sql: true,
        templates: &["movie.html"],
        dir: "movies",
        releases: &[tables::PAGE_MOVIES, tables::PAGE_COLLECTIONS, tables::PAGED_PEOPLE],
        render: |site, _| Box::pin(movies::render(site)),
    },
    PageKind {
        name: "search",
        sql: Some(sql!("render/search.sql")),
        parallel_sql: false,
        templates: &[],
        dir: "search",
        releases: &[tables::SEARCH_MOVIES, tables::SEARCH_PEOPLE, tables::SEARCH_COLLECTIONS],
        render: |site, _| Box::pin(search::render(site)),
    },
    PageKind {
        name: "questions",
        sql: None,
        parallel_sql: false,
        templates: &["questions.html"],
        dir: "",
        releases: &[],
        render: |site, _| Box::pin(home::questions(site)),
    },
    PageKind {
        name: "report",
        sql: Some(sql!("render/report.sql")),
        parallel_sql: false,
        templates: &["report.html", "chart.svg"],
        dir: "",
        releases: &[],
        render: |site, _| Box::pin(report::render(site)),
    },
    PageKind {
        name: "not found",
        sql: None,
        parallel_sql: false,
        templates: &["404.html"],
        dir: "",
        releases: &[],
        render: |site, _| Box::pin(home::not_found(site)),
    },
    PageKind {
        name: "home",
        sql: None,
        parallel_sql: false,
        templates: &["index.html"],
        dir: "",
        releases: &[],
        render: |site, stats| Box::pin(home::index(site, stats)),
    },
];

/// What a kind wrote: HTML pages, their bytes, and other files (search shards).
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Written {
    pub pages: usize,
    pub bytes: u64,
    pub other_files: usize,
}

impl std::ops::AddAssign for Written {
    fn add_assign(&mut self, other: Written) {
        self.pages += other.pages;
        self.bytes += other.bytes;
        self.other_files += other.other_files;
    }
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct SiteStats {
    pub pages: usize,
    pub bytes: u64,
    /// What each page kind wrote, by name.
    pub kinds: BTreeMap<&'static str, Written>,
    /// Pages rendered, and pages linked unrendered from the previous output (their
    /// template and context unchanged).
    pub pages_rendered: usize,
    pub pages_reused: usize,
    /// Files written anew, files made again and found unchanged (then hard-linked from
    /// the previous output), and files reused without being made.
    pub files_written: usize,
    pub files_linked: usize,
    pub files_reused: usize,
    /// What each page was made from, for the next build's reuse.
    #[serde(skip)]
    pub records: Vec<(String, FileRecord)>,
}

impl SiteStats {
    pub fn pages_of(&self, kind: &str) -> usize {
        self.kinds.get(kind).map_or(0, |w| w.pages)
    }
}

/// What every page kind renders with.
pub struct Site<'a> {
    pub ctx: &'a SessionContext,
    pub accounting: &'a Accounting,
    pub people_answers: &'a PeopleAnswers,
    pub writer: Writer<'a>,
    /// Each browse value's page, from the site's root, by (facet, label): set by the
    /// browse pages, read by the movie pages that link to them.
    pub facet_pages: std::sync::OnceLock<HashMap<(String, String), String>>,
}

/// Renders pages (on the calling thread) and queues them for the file writer.
pub struct Writer<'a> {
    pub env: &'a Environment<'static>,
    pub out: &'a Path,
    pub sink: &'a FileSink,
    pub reuse: &'a PageReuse<'a>,
    /// Pages rendered, and pages linked from the previous output without rendering.
    pub rendered: AtomicUsize,
    pub reused: AtomicUsize,
    /// The kind being rendered (its index in `PAGE_KINDS`): a page may only use the
    /// templates its kind declares, since they decide when the kind is made again.
    pub kind: AtomicUsize,
    /// What each kind is made from (by index in `PAGE_KINDS`), set before the render.
    pub kind_prints: std::sync::OnceLock<Vec<Fingerprint>>,
}

/// What lets a page be linked from the previous output instead of rendered: the
/// previous build's file log, and what every page is made from besides its context.
pub struct PageReuse<'a> {
    pub log: &'a FileLog,
    pub previous: Option<&'a Path>,
    /// Each template's fingerprint (with those it extends), mixed with the program's.
    pub templates: HashMap<&'static str, Fingerprint>,
    /// What the data stages were made from, and whether they were reused.
    pub data: Fingerprint,
    pub data_reused: bool,
}

impl<'a> PageReuse<'a> {
    pub fn new(
        theme: &Theme,
        program: Fingerprint,
        (data, data_reused): (Fingerprint, bool),
        log: &'a FileLog,
        previous: Option<&'a Path>,
    ) -> Result<PageReuse<'a>> {
        let templates = theme
            .templates
            .iter()
            .map(|(name, _)| {
                let mut print = Fingerprinter::new("page template");
                print.add_fingerprint(program).add_fingerprint(theme.template_fingerprint(name)?);
                Ok((*name, print.finish()))
            })
            .collect::<Result<_>>()?;
        Ok(PageReuse { log, previous, templates, data, data_reused })
    }

    /// What a whole kind of pages is made from: the data, the program (in the template
    /// fingerprints) and the kind's templates.
    fn kind_print(&self, kind: &PageKind) -> Result<Fingerprint> {
        let mut print = Fingerprinter::new("page kind");
        print.add_str(kind.name).add_fingerprint(self.data);
        for template in kind.templates.iter().chain(&["base.html"]) {
            print.add_fingerprint(*self.templates.get(template).with_context(|| format!("no template {template}"))?);
        }
        Ok(print.finish())
    }

    /// What a page is made from: the program, its template and everything the template
    /// is given (serialised, so `1` and `1.0` or none and "" differ as they render).
    fn page_print(&self, template: &str, rel: &str, ctx: &Mj) -> Result<Fingerprint> {
        let mut print = Fingerprinter::new("page");
        print.add_fingerprint(*self.templates.get(template).with_context(|| format!("no template {template}"))?).add_str(rel);
        serde_json::to_writer(&mut print, ctx).with_context(|| format!("fingerprinting {rel}"))?;
        Ok(print.finish())
    }
}

impl Writer<'_> {
    /// Queues a file of the kind being rendered that is not a page (a search index
    /// file): recorded as made from the kind, so the kind can be linked whole.
    pub fn send_kind_file(&self, path: std::path::PathBuf, bytes: Vec<u8>) -> Result<()> {
        let kind = self.kind.load(Ordering::Relaxed);
        let print = self.kind_prints.get().and_then(|p| p.get(kind)).context("kind fingerprints not set")?;
        self.sink.send_made(path, bytes, *print)
    }

    /// Renders `template` into `<rel_dir>/<name>`, or links the previous build's page
    /// when it was made from the same; returns the page's bytes.
    pub fn page(&self, rel_dir: &str, name: &str, template: &str, ctx: Mj) -> Result<u64> {
        let dir = if rel_dir.is_empty() { self.out.to_path_buf() } else { self.out.join(rel_dir) };
        let path = safe_join(&dir, name)?;
        let rel = if rel_dir.is_empty() { name.to_string() } else { format!("{rel_dir}/{name}") };
        let kind = &PAGE_KINDS[self.kind.load(Ordering::Relaxed)];
        if !kind.templates.contains(&template) {
            anyhow::bail!("the {} pages use {template}, which their PageKind does not declare", kind.name);
        }
        let made_from = self.reuse.page_print(template, &rel, &ctx)?;
        if let Some((old, size)) = self.reuse.previous.and_then(|p| self.reuse.log.reusable(p, &rel, made_from)) {
            self.sink.reuse(path, old, made_from)?;
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(size);
        }
        let html = self.env.get_template(template)?.render(ctx).with_context(|| format!("rendering {rel}"))?;
        let len = html.len() as u64;
        self.sink.send_made(path, html.into_bytes(), made_from)?;
        self.rendered.fetch_add(1, Ordering::Relaxed);
        Ok(len)
    }
}

/// Writes the whole site into `out` with `theme`, linking pages unchanged from
/// `reuse.previous` (by their fingerprints) and files found equal to its.
pub async fn site(
    ctx: &SessionContext,
    accounting: &Accounting,
    people_answers: &PeopleAnswers,
    out: &Path,
    theme: &Theme,
    reuse: &PageReuse<'_>,
) -> Result<SiteStats> {
    let env = theme.environment()?;
    let previous = reuse.previous;
    std::fs::create_dir_all(out.join("static"))?;
    for kind in PAGE_KINDS.iter().filter(|k| !k.dir.is_empty()) {
        std::fs::create_dir_all(out.join(kind.dir))?;
    }
    let sink = FileSink::start(out, previous);
    let writer = Writer {
        env: &env,
        out,
        sink: &sink,
        reuse,
        rendered: AtomicUsize::new(0),
        reused: AtomicUsize::new(0),
        kind: AtomicUsize::new(0),
        kind_prints: std::sync::OnceLock::new(),
    };
    let site = Site { ctx, accounting, people_answers, writer, facet_pages: std::sync::OnceLock::new() };
    let mut stats = render_kinds(&site, theme).await?;
    (stats.pages_rendered, stats.pages_reused) = (site.writer.rendered.into_inner(), site.writer.reused.into_inner());
    let files = sink.finish()?;
    trace_note(&format!("file writer busy {:.3} s for {} files", files.busy_s, files.written + files.linked + files.reused));
    (stats.files_written, stats.files_linked, stats.files_reused) = (files.written, files.linked, files.reused);
    stats.records.extend(files.records);
    Ok(stats)
}

/// What a kind's render gives later kinds besides tables: the browse pages' addresses,
/// which the movie pages link to. (provider, consumer)
const FEEDS: &[(&str, &str)] = &[("browse", "movies"), ("browse", "search")];

async fn render_kinds(site: &Site<'_>, theme: &Theme) -> Result<SiteStats> {
    let mut clock = std::time::Instant::now();
    let mut stats = SiteStats::default();
    for (name, text) in &theme.static_files {
        site.writer.sink.send(safe_join(&site.writer.out.join("static"), name)?, text.as_bytes().to_vec())?;
    }
    let prints: Vec<Fingerprint> = PAGE_KINDS.iter().map(|k| site.writer.reuse.kind_print(k)).collect::<Result<_>>()?;
    let skipped = kinds_to_link(site, &prints);
    site.writer.kind_prints.set(prints.clone()).map_err(|_| anyhow::anyhow!("kind fingerprints set twice"))?;
    let needed_sql = scripts_needed(site.ctx, &skipped)?;
    for (i, kind) in PAGE_KINDS.iter().enumerate() {
        if let Some(script) = kind.sql.filter(|_| needed_sql[i]) {
            render_sql(site.ctx, script, kind.parallel_sql).await?;
        }
        site.writer.kind.store(i, Ordering::Relaxed);
        let unrecorded_before = site.writer.sink.unrecorded();
        let written = if skipped[i] {
            link_kind(site, kind)?
        } else {
            (kind.render)(site, &stats).await.with_context(|| format!("rendering the {} pages", kind.name))?
        };
        // Only a kind whose every file is on record can be linked whole next time.
        if !kind.dir.is_empty() && site.writer.sink.unrecorded() == unrecorded_before {
            stats.records.push((kind_record(kind), FileRecord { made_from: prints[i], inode: 0, size: 0, mtime_ns: 0 }));
        }
        for table in kind.releases {
            site.ctx.deregister_table(*table)?;
        }
        stats.pages += written.pages;
        stats.bytes += written.bytes;
        *stats.kinds.entry(kind.name).or_default() += written;
        trace(&format!("{} pages{}", kind.name, if skipped[i] { " (linked)" } else { "" }), &mut clock);
    }
    Ok(stats)
}

/// The file log's entry for a kind rendered whole: not a file (no file name starts
/// with `#`), it holds what the kind was made from.
fn kind_record(kind: &PageKind) -> String {
    format!("#kind/{}", kind.name)
}

/// The kinds whose every page can be linked from the previous output without running
/// their script or render: made from the same data, program and templates, every file
/// still as published, and nothing they give a rendered kind (see `FEEDS`).
fn kinds_to_link(site: &Site<'_>, prints: &[Fingerprint]) -> Vec<bool> {
    let reuse = site.writer.reuse;
    let mut skip: Vec<bool> = PAGE_KINDS
        .iter()
        .zip(prints)
        .map(|(kind, print)| {
            let (Some(previous), false) = (reuse.previous, kind.dir.is_empty()) else { return false };
            reuse.data_reused
                && reuse.log.files.get(&kind_record(kind)).is_some_and(|r| r.made_from == *print)
                && reuse
                    .log
                    .files
                    .iter()
                    .filter(|(rel, _)| in_dir(rel, kind.dir))
                    .all(|(rel, r)| reuse.log.reusable(previous, rel, r.made_from).is_some())
        })
        .collect();
    for (provider, consumer) in FEEDS {
        let at = |name: &str| PAGE_KINDS.iter().position(|k| k.name == name);
        if let (Some(p), Some(c)) = (at(provider), at(consumer))
            && !skip[c]
        {
            skip[p] = false;
        }
    }
    skip
}

fn in_dir(rel: &str, dir: &str) -> bool {
    rel.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// Which kinds' scripts must run: a rendered kind's, and a linked kind's whose tables a
/// later rendered kind reads (in its script, or in Rust: the tables it releases).
fn scripts_needed(ctx: &SessionContext, skipped: &[bool]) -> Result<Vec<bool>> {
    let effects: Vec<Option<scripts::Effects>> =
        PAGE_KINDS.iter().map(|k| k.sql.map(|s| scripts::effects(ctx, &s)).transpose()).collect::<Result<_>>()?;
    let reads =
        |j: usize, table: &str| PAGE_KINDS[j].releases.contains(&table) || effects[j].as_ref().is_some_and(|e| e.reads.contains(table));
    Ok((0..PAGE_KINDS.len())
        .map(|i| {
            let Some(made) = &effects[i] else { return false };
            !skipped[i] || (i + 1..PAGE_KINDS.len()).any(|j| !skipped[j] && made.creates.iter().any(|t| reads(j, t)))
        })
        .collect())
}

/// Links every file of a kind from the previous output, as recorded.
fn link_kind(site: &Site<'_>, kind: &PageKind) -> Result<Written> {
    let (reuse, writer) = (site.writer.reuse, &site.writer);
    let previous = reuse.previous.context("no previous output")?;
    let mut files: Vec<(&String, &FileRecord)> = reuse.log.files.iter().filter(|(rel, _)| in_dir(rel, kind.dir)).collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    let mut written = Written::default();
    for (rel, record) in files {
        writer.sink.reuse(writer.out.join(rel), previous.join(rel), record.made_from)?;
        if rel.ends_with(".html") {
            writer.reused.fetch_add(1, Ordering::Relaxed);
            written.pages += 1;
            written.bytes += record.size;
        } else {
            written.other_files += 1;
        }
    }
    Ok(written)
}

/// Runs a page kind's script, on every core when that cannot change the output.
async fn render_sql(ctx: &SessionContext, script: Script, parallel: bool) -> Result<()> {
    if parallel {
        engine::set_target_partitions(ctx, engine::cores());
    }
    let result = scripts::run_scripts(ctx, &[script]).await;
    engine::switch_to_deterministic_plans(ctx);
    result
}

/// One page per row of `table`, `<dir>/<id>.html`, rendered in parallel batch by batch
/// straight from Arrow.
async fn render_rows(
    site: &Site<'_>,
    table: &str,
    dir: &str,
    template: &str,
    page_context: impl Fn(PageRow<'_>) -> (i64, Mj) + Sync,
) -> Result<Written> {
    use futures::StreamExt;
    let mut written = Written::default();
    let mut stream = site.ctx.table(table).await.with_context(|| format!("table {table}"))?.execute_stream().await?;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
        let sizes: Vec<u64> = (0..batch.num_rows())
            .into_par_iter()
            .map(|row| {
                let (id, page) = page_context(PageRow::read(&batch, &names, row));
                site.writer.page(dir, &format!("{id}.html"), template, page)
            })
            .collect::<Result<_>>()?;
        written.pages += sizes.len();
        written.bytes += sizes.iter().sum::<u64>();
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_render_script_and_template_belongs_to_a_page_kind() {
        let mut scripts_used: Vec<&str> = PAGE_KINDS.iter().filter_map(|k| k.sql.map(|s| s.path)).collect();
        scripts_used.sort();
        assert_eq!(scripts_used, scripts::files_on_disk("render"), "each sql/render script is one page kind's");
        let env = Theme::embedded().environment().unwrap();
        for kind in PAGE_KINDS {
            for t in kind.templates {
                assert!(env.get_template(t).is_ok(), "{}: no template {t}", kind.name);
            }
        }
        let mut names: Vec<&str> = PAGE_KINDS.iter().map(|k| k.name).collect();
        names.dedup();
        assert_eq!(names.len(), PAGE_KINDS.len());
    }
}
