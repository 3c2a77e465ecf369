//! Site stage: the static site, from templates/ with minijinja.
//!
//! Each kind of page is one entry of [`PAGE_KINDS`] and one file here: the sql/render
//! script that makes its tables, its templates, its directory and its render
//! function. Every value is auto-escaped by the templates, and every file name is an
//! id or a slug checked by `foundation::output::safe_join`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, Result};
use datafusion::prelude::SessionContext;
use futures::future::LocalBoxFuture;
use minijinja::{Environment, Value as Mj, context};

use rayon::prelude::*;
use serde::Serialize;

use crate::foundation::base_url::BaseUrl;
use crate::foundation::engine;
use crate::foundation::engine::scripts::{self, Script};
use crate::foundation::output::{FileSink, safe_join};
use crate::foundation::tables;
use crate::foundation::timing::{trace, trace_note};
use crate::settings::SITEMAP_MAX_URLS;
use crate::sql;
use crate::stages::etl::Accounting;
use crate::stages::questions::PeopleAnswers;

mod browse;
mod charts;
mod dictionary;
mod home;
mod movies;
mod people;
mod report;
mod search;
pub mod sitemap;
pub mod slug;
pub mod templates;
mod values;

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
        releases: &[tables::SEARCH_MOVIES, tables::SEARCH_PEOPLE],
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
        templates: &["report.html", "chart.svg", "scatter.svg", "heatmap.svg"],
        dir: "",
        releases: &[],
        render: |site, _| Box::pin(report::render(site)),
    },
    PageKind {
        name: "dictionary",
        sql: Some(sql!("render/dictionary.sql")),
        // Counts, and minimums of whole values and text: the same on any partitioning.
        parallel_sql: true,
        templates: &["datos.html"],
        dir: "",
        releases: &[tables::DICTIONARY_COLUMNS],
        render: |site, _| Box::pin(dictionary::render(site)),
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
    /// Files written anew, and files hard-linked unchanged from the previous output.
    pub files_written: usize,
    pub files_linked: usize,
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
    /// Where the site will be published (`--base-url`), for canonical links, Open Graph
    /// tags and the sitemap; `None` keeps every page free of absolute addresses.
    pub base_url: Option<&'a BaseUrl>,
    /// Every page written, by its path under output/, for the sitemap.
    pub pages: std::sync::Mutex<Vec<String>>,
}

impl Writer<'_> {
    /// Renders `template` into `<rel_dir>/<name>`; returns the bytes written.
    pub fn page(&self, rel_dir: &str, name: &str, template: &str, ctx: Mj) -> Result<u64> {
        let dir = if rel_dir.is_empty() { self.out.to_path_buf() } else { self.out.join(rel_dir) };
        let path = safe_join(&dir, name)?;
        let rel_path = if rel_dir.is_empty() { name.to_string() } else { format!("{rel_dir}/{name}") };
        let ctx = match self.base_url {
            // Escaped here rather than by the templates, whose HTML escaping would also
            // turn every `/` into `&#x2f;`: valid, but not what crawlers expect to read.
            Some(base) => {
                let canonical = sitemap::is_listed(&rel_path).then(|| Mj::from_safe_string(sitemap::xml_escape(&base.page(&rel_path))));
                context! { canonical => canonical, ..ctx }
            }
            None => ctx,
        };
        let html = self.env.get_template(template)?.render(ctx).with_context(|| format!("rendering {rel_path}"))?;
        let len = html.len() as u64;
        self.sink.send(path, html.into_bytes())?;
        if self.base_url.is_some() {
            self.pages.lock().map_err(|_| anyhow::anyhow!("a page writer panicked"))?.push(rel_path);
        }
        Ok(len)
    }

    /// sitemap.xml (or an index and its parts) and robots.txt, for the pages written.
    fn sitemap(&self) -> Result<Written> {
        let Some(base) = self.base_url else { return Ok(Written::default()) };
        let pages = std::mem::take(&mut *self.pages.lock().map_err(|_| anyhow::anyhow!("a page writer panicked"))?);
        let mut files = sitemap::sitemap_files(base, &pages, SITEMAP_MAX_URLS);
        files.push(("robots.txt".to_string(), sitemap::robots(base)));
        let mut written = Written::default();
        for (name, text) in files {
            written.bytes += text.len() as u64;
            written.other_files += 1;
            self.sink.send(safe_join(self.out, &name)?, text.into_bytes())?;
        }
        Ok(written)
    }
}

/// Writes the whole site into `out`, hard-linking files unchanged from `previous`.
pub async fn site(
    ctx: &SessionContext,
    accounting: &Accounting,
    people_answers: &PeopleAnswers,
    out: &Path,
    previous: Option<&Path>,
    base_url: Option<&BaseUrl>,
) -> Result<SiteStats> {
    let env = templates::environment()?;
    std::fs::create_dir_all(out.join("static"))?;
    for kind in PAGE_KINDS.iter().filter(|k| !k.dir.is_empty()) {
        std::fs::create_dir_all(out.join(kind.dir))?;
    }
    let sink = FileSink::start(out, previous);
    let writer = Writer { env: &env, out, sink: &sink, base_url, pages: Default::default() };
    let site = Site { ctx, accounting, people_answers, writer, facet_pages: std::sync::OnceLock::new() };
    let mut stats = render_kinds(&site).await?;
    let sitemap = site.writer.sitemap()?;
    if sitemap.other_files > 0 {
        stats.kinds.insert("sitemap", sitemap);
    }
    let files = sink.finish()?;
    trace_note(&format!("file writer busy {:.3} s for {} files", files.busy_s, files.written + files.linked));
    (stats.files_written, stats.files_linked) = (files.written, files.linked);
    Ok(stats)
}

async fn render_kinds(site: &Site<'_>) -> Result<SiteStats> {
    let mut clock = std::time::Instant::now();
    let mut stats = SiteStats::default();
    for (name, text) in templates::STATIC_FILES {
        site.writer.sink.send(safe_join(&site.writer.out.join("static"), name)?, text.as_bytes().to_vec())?;
    }
    for kind in PAGE_KINDS {
        if let Some(script) = kind.sql {
            render_sql(site.ctx, script, kind.parallel_sql).await?;
        }
        let written = (kind.render)(site, &stats).await.with_context(|| format!("rendering the {} pages", kind.name))?;
        for table in kind.releases {
            site.ctx.deregister_table(*table)?;
        }
        stats.pages += written.pages;
        stats.bytes += written.bytes;
        *stats.kinds.entry(kind.name).or_default() += written;
        trace(&format!("{} pages", kind.name), &mut clock);
    }
    Ok(stats)
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
        let env = templates::environment().unwrap();
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
