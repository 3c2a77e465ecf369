//! Site stage: the static site, from templates/ with minijinja.
//!
//! Each kind of page is one entry of [`PAGE_KINDS`] and one file here: the sql/render
//! script that makes its tables, its templates, its directory and its render
//! function. Every value is auto-escaped by the templates, and every file name is an
//! id or a slug checked by `foundation::output::safe_join`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use datafusion::arrow::array::RecordBatch;
use datafusion::prelude::SessionContext;
use futures::future::LocalBoxFuture;
use minijinja::{Environment, Value as Mj, context};

use rayon::prelude::*;
use serde::Serialize;

use crate::foundation::base_url::BaseUrl;
use crate::foundation::engine;
use crate::foundation::engine::scripts::{self, Script};
use crate::foundation::fingerprint::{Fingerprint, Fingerprinter};
use crate::foundation::output::{FileSink, safe_join};
use crate::foundation::parts::IdRange;
use crate::foundation::reuse::{FileLog, FileRecord};
use crate::foundation::tables;
use crate::foundation::timing::{trace, trace_note};
use crate::settings::{
    DEFAULT_BROWSE_PAGE_MOVIES, DEFAULT_MAX_PAGE_KB, MOVIE_PAGES_RANGE_MOVIES, PERSON_PAGES_RANGE_FILMS, SITEMAP_MAX_URLS,
};
use crate::sql;
use crate::stages::etl::Accounting;
use crate::stages::questions::PeopleAnswers;

mod browse;
mod charts;
mod dictionary;
mod home;
mod movie_lists;
mod movies;
mod pager;
pub mod parts;
mod people;
mod report;
mod search;
pub mod sitemap;
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
        // On one core: on two, page_people's film lists were gathered twice (each core's
        // partial lists, then the merged ones) and the script held 0.6-0.9 GB more at 4x
        // the full data, the whole build's peak; alone it takes about a third longer.
        parallel_sql: false,
        templates: &["person.html"],
        dir: "people",
        releases: &[tables::PAGE_PEOPLE, tables::PERSON_CREDITS],
        render: |site, _| Box::pin(people::render(site)),
    },
    PageKind {
        name: "browse",
        sql: Some(sql!("render/browse.sql")),
        parallel_sql: true,
        templates: &["browse_index.html", "facet.html", "facet_value.html", "pager.html"],
        dir: "browse",
        releases: &[tables::PAGE_BROWSE, tables::FACET_MEMBERS],
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
    pub options: &'a SiteOptions,
    /// Each browse value's page, from the site's root, by (facet, label): set by the
    /// browse pages, read by the movie pages that link to them.
    pub facet_pages: std::sync::OnceLock<HashMap<(String, String), String>>,
    /// When only a part of the site is made (`parts.rs`): the ids whose pages it
    /// renders, by the kind's directory. `None` for the whole site.
    pub part_ranges: Option<std::sync::Mutex<HashMap<&'static str, IdRange>>>,
}

impl Site<'_> {
    /// The ids of the pages in `dir` this site renders: all (`None`), or a part's.
    fn part_range(&self, dir: &str) -> Result<Option<IdRange>> {
        let Some(ranges) = &self.part_ranges else { return Ok(None) };
        let ranges = ranges.lock().map_err(|_| anyhow::anyhow!("a page writer panicked"))?;
        ranges.get(dir).copied().map(Some).with_context(|| format!("no part range for the pages in {dir}/"))
    }
}

/// How the site is cut into pages and where it is published: `marquee build
/// --max-page-kb`, `--browse-page-size` and `--base-url`.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// The largest page allowed, in bytes.
    pub max_page_bytes: u64,
    /// Movies per page of a browse list.
    pub browse_page_movies: usize,
    /// Where the site will be published, for canonical links, Open Graph tags and the
    /// sitemap; `None` keeps every page free of absolute addresses.
    pub base_url: Option<BaseUrl>,
    /// How much of the person and movie pages is queried at once (see `page_chunks`).
    pub page_ranges: PageRanges,
}

impl Default for SiteOptions {
    fn default() -> Self {
        SiteOptions {
            max_page_bytes: DEFAULT_MAX_PAGE_KB * 1024,
            browse_page_movies: DEFAULT_BROWSE_PAGE_MOVIES,
            base_url: None,
            page_ranges: PageRanges::default(),
        }
    }
}

/// The most film credits a range of person pages holds, and the most movies a range of
/// movie pages does (see `page_chunks`). They change how much memory the build holds,
/// never a byte of its output; the tests make them small to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRanges {
    pub person_credits: u64,
    pub movies: u64,
}

impl Default for PageRanges {
    fn default() -> Self {
        PageRanges { person_credits: PERSON_PAGES_RANGE_FILMS, movies: MOVIE_PAGES_RANGE_MOVIES }
    }
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
    /// The page size limit and `--base-url`.
    pub options: &'a SiteOptions,
    /// Every page of the site, by its path under output/, for the sitemap (only kept
    /// with a base URL).
    pub pages: std::sync::Mutex<Vec<String>>,
}

impl<'a> Writer<'a> {
    /// A writer of pages under `out` through `sink`, nothing rendered yet.
    pub fn new(
        env: &'a Environment<'static>,
        out: &'a Path,
        sink: &'a FileSink,
        reuse: &'a PageReuse<'a>,
        options: &'a SiteOptions,
    ) -> Writer<'a> {
        Writer {
            env,
            out,
            sink,
            reuse,
            rendered: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
            kind: AtomicUsize::new(0),
            options,
            pages: Default::default(),
        }
    }
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
    /// The parts of the site made by separate runs (`marquee build --parts N`), each
    /// checked whole: their kinds are linked from them (see `parts.rs`).
    pub parts: Option<parts::SiteParts>,
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
        Ok(PageReuse { log, previous, templates, data, data_reused, parts: None })
    }

    /// What a whole kind of pages is made from: the data, the program (in the template
    /// fingerprints), the kind's templates and the site options.
    fn kind_print(&self, kind: &PageKind, options: &SiteOptions) -> Result<Fingerprint> {
        self.kind_print_of(kind, options, self.data)
    }

    /// `kind_print` with `data` standing for what the kind is made from: the data
    /// stages' fingerprint, or a fingerprint of the very tables the kind reads.
    fn kind_print_of(&self, kind: &PageKind, options: &SiteOptions, data: Fingerprint) -> Result<Fingerprint> {
        let mut print = Fingerprinter::new("page kind");
        print.add_str(kind.name).add_fingerprint(data);
        // How lists are cut decides the browse pages, the base URL every page's head
        // and the sitemap's list; the size limit must be checked again when it changes.
        // So a kind is not linked whole across a change of any.
        print.add_str(&options.max_page_bytes.to_string()).add_str(&options.browse_page_movies.to_string());
        print.add_str(options.base_url.as_ref().map_or("", |b| b.as_str()));
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

    /// What a page is made from when its context is not built to tell: the program, its
    /// template, its path, the base URL (its canonical link) and `inputs`, a fingerprint
    /// of every value its context would be made from (its page-table row and whatever
    /// else its kind looks up). Another domain than `page_print`'s: the two never meet.
    fn inputs_print(&self, template: &str, rel: &str, base_url: Option<&BaseUrl>, inputs: Fingerprint) -> Result<Fingerprint> {
        let mut print = Fingerprinter::new("page inputs");
        print.add_fingerprint(*self.templates.get(template).with_context(|| format!("no template {template}"))?).add_str(rel);
        match base_url {
            Some(base) => print.add_u64(1).add_str(base.as_str()),
            None => print.add_u64(0),
        };
        Ok(print.add_fingerprint(inputs).finish())
    }
}

impl Writer<'_> {
    /// What the files of the kind being rendered are made from when `tables`
    /// fingerprints everything they are made from besides the program, its templates
    /// and the site options: unlike the kind's own fingerprint, unchanged by data the
    /// kind does not read.
    pub fn kind_tables_print(&self, tables: Fingerprint) -> Result<Fingerprint> {
        self.reuse.kind_print_of(&PAGE_KINDS[self.kind.load(Ordering::Relaxed)], self.options, tables)
    }

    /// Queues a file of the kind being rendered made from `made_from` (see
    /// `kind_tables_print`).
    pub fn send_kind_file_made(&self, path: std::path::PathBuf, bytes: Vec<u8>, made_from: Fingerprint) -> Result<()> {
        self.sink.send_made(path, bytes, made_from)
    }

    /// Links every file the previous build recorded in the kind's directory, when
    /// there were some and each was made from `made_from` and is still as published:
    /// they are then exactly the files this build would make. `None` when not.
    pub fn link_kind_files(&self, made_from: Fingerprint) -> Result<Option<usize>> {
        let (Some(previous), dir) = (self.reuse.previous, PAGE_KINDS[self.kind.load(Ordering::Relaxed)].dir) else { return Ok(None) };
        if dir.is_empty() {
            return Ok(None);
        }
        let mut files: Vec<(PathBuf, FileRecord, &String)> = Vec::new();
        for rel in self.reuse.log.files.keys().filter(|rel| in_dir(rel, dir)) {
            let Some((old, record)) = self.reuse.log.reusable_record(previous, rel, made_from) else { return Ok(None) };
            files.push((old, record, rel));
        }
        if files.is_empty() {
            return Ok(None);
        }
        files.sort_by(|a, b| a.2.cmp(b.2));
        let count = files.len();
        for (old, record, rel) in files {
            self.sink.reuse_recorded(self.out.join(rel), old, record)?;
        }
        Ok(Some(count))
    }

    /// Renders `template` into `<rel_dir>/<name>`, or links the previous build's page
    /// when it was made from the same; returns the page's bytes. A page over
    /// `max_page_bytes` fails the build, naming the page.
    pub fn page(&self, rel_dir: &str, name: &str, template: &str, ctx: Mj) -> Result<u64> {
        let (path, rel) = self.place(rel_dir, name, template)?;
        let ctx = self.with_canonical(&rel, ctx);
        let made_from = self.reuse.page_print(template, &rel, &ctx)?;
        self.link_or_render(path, &rel, template, made_from, || Ok(ctx))
    }

    /// Like `page`, for a page whose context `make` builds from what `inputs`
    /// fingerprints: when that is what the previous build's page was made from, the
    /// page is linked without building its context at all.
    pub fn page_of_inputs(&self, rel_dir: &str, name: &str, template: &str, inputs: Fingerprint, make: impl FnOnce() -> Mj) -> Result<u64> {
        let (path, rel) = self.place(rel_dir, name, template)?;
        let made_from = self.reuse.inputs_print(template, &rel, self.options.base_url.as_ref(), inputs)?;
        self.link_or_render(path, &rel, template, made_from, || Ok(self.with_canonical(&rel, make())))
    }

    /// The page's file and its path under output/, once its kind may use `template`.
    fn place(&self, rel_dir: &str, name: &str, template: &str) -> Result<(std::path::PathBuf, String)> {
        let dir = if rel_dir.is_empty() { self.out.to_path_buf() } else { self.out.join(rel_dir) };
        let path = safe_join(&dir, name)?;
        let rel = if rel_dir.is_empty() { name.to_string() } else { format!("{rel_dir}/{name}") };
        let kind = &PAGE_KINDS[self.kind.load(Ordering::Relaxed)];
        if !kind.templates.contains(&template) {
            anyhow::bail!("the {} pages use {template}, which their PageKind does not declare", kind.name);
        }
        Ok((path, rel))
    }

    /// The context with the page's canonical link, when the site has a base URL.
    fn with_canonical(&self, rel: &str, ctx: Mj) -> Mj {
        match &self.options.base_url {
            // Escaped here rather than by the templates, whose HTML escaping would also
            // turn every `/` into `&#x2f;`: valid, but not what crawlers expect to read.
            Some(base) => {
                let canonical = sitemap::is_listed(rel).then(|| Mj::from_safe_string(sitemap::xml_escape(&base.page(rel))));
                context! { canonical => canonical, ..ctx }
            }
            None => ctx,
        }
    }

    /// Links the previous build's page made from `made_from`, or renders the context
    /// `ctx` gives.
    fn link_or_render(
        &self,
        path: std::path::PathBuf,
        rel: &str,
        template: &str,
        made_from: Fingerprint,
        ctx: impl FnOnce() -> Result<Mj>,
    ) -> Result<u64> {
        self.note_page(rel)?;
        if let Some((old, record)) = self.reuse.previous.and_then(|p| self.reuse.log.reusable_record(p, rel, made_from)) {
            check_page_size(rel, record.size, self.options.max_page_bytes)?;
            self.sink.reuse_recorded(path, old, record)?;
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(record.size);
        }
        let html = self.env.get_template(template)?.render(ctx()?).with_context(|| format!("rendering {rel}"))?;
        let len = html.len() as u64;
        check_page_size(rel, len, self.options.max_page_bytes)?;
        self.sink.send_made(path, html.into_bytes(), made_from)?;
        self.rendered.fetch_add(1, Ordering::Relaxed);
        Ok(len)
    }

    /// Keeps a page's path for the sitemap, when there is one.
    fn note_page(&self, rel: &str) -> Result<()> {
        if self.options.base_url.is_some() {
            self.pages.lock().map_err(|_| anyhow::anyhow!("a page writer panicked"))?.push(rel.to_string());
        }
        Ok(())
    }

    /// sitemap.xml (or an index and its parts) and robots.txt, for every page of the
    /// site, rendered or linked.
    fn sitemap(&self) -> Result<Written> {
        let Some(base) = &self.options.base_url else { return Ok(Written::default()) };
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

/// Fails when a page is over the size limit: a slow page for readers, and a sign that
/// some list grew past its pagination.
fn check_page_size(page: &str, bytes: u64, limit: u64) -> Result<()> {
    if bytes > limit {
        anyhow::bail!(
            "page {page} is {:.1} KB ({bytes} bytes), over the {:.0} KB limit for a page: paginate what it lists, or raise --max-page-kb",
            bytes as f64 / 1024.0,
            limit as f64 / 1024.0
        );
    }
    Ok(())
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
    options: &SiteOptions,
) -> Result<SiteStats> {
    let env = theme.environment()?;
    let previous = reuse.previous;
    std::fs::create_dir_all(out.join("static"))?;
    for kind in PAGE_KINDS.iter().filter(|k| !k.dir.is_empty()) {
        std::fs::create_dir_all(out.join(kind.dir))?;
    }
    let sink = FileSink::start(out, previous);
    let writer = Writer::new(&env, out, &sink, reuse, options);
    let site = Site { ctx, accounting, people_answers, writer, options, facet_pages: std::sync::OnceLock::new(), part_ranges: None };
    let mut stats = render_kinds(&site, theme).await?;
    let sitemap = site.writer.sitemap()?;
    if sitemap.other_files > 0 {
        stats.kinds.insert("sitemap", sitemap);
    }
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
    let prints: Vec<Fingerprint> = PAGE_KINDS.iter().map(|k| site.writer.reuse.kind_print(k, site.options)).collect::<Result<_>>()?;
    let skipped = kinds_to_link(site, &prints);
    let needed_sql = scripts_needed(site.ctx, &skipped)?;
    for (i, kind) in PAGE_KINDS.iter().enumerate() {
        if let Some(script) = kind.sql.filter(|_| needed_sql[i]) {
            render_sql(site.ctx, script, kind.parallel_sql).await?;
        }
        site.writer.kind.store(i, Ordering::Relaxed);
        let unrecorded_before = site.writer.sink.unrecorded();
        let written = if skipped[i] {
            match reuse_parts(site, kind) {
                Some(parts) => parts.link_kind(site, kind)?,
                None => link_kind(site, kind)?,
            }
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
            if reuse_parts(site, kind).is_some() {
                return true;
            }
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

/// The parts of the site that hold every page of `kind`, if it is made in parts.
fn reuse_parts<'s>(site: &'s Site<'_>, kind: &PageKind) -> Option<&'s parts::SiteParts> {
    site.writer.reuse.parts.as_ref().filter(|_| parts::PART_KINDS.iter().any(|p| p.kind == kind.name))
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
    let reuse = site.writer.reuse;
    let previous = reuse.previous.context("no previous output")?;
    link_kind_from(site, kind, &[(previous, reuse.log)])
}

/// Links every file of a kind recorded in the logs of `sources`, (tree, its log), from
/// the tree that holds it.
fn link_kind_from(site: &Site<'_>, kind: &PageKind, sources: &[(&Path, &FileLog)]) -> Result<Written> {
    let writer = &site.writer;
    let mut files: Vec<(&String, &FileRecord, &Path)> = sources
        .iter()
        .flat_map(|(root, log)| log.files.iter().filter(|(rel, _)| in_dir(rel, kind.dir)).map(|(rel, r)| (rel, r, *root)))
        .collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    let mut written = Written::default();
    for (rel, record, root) in files {
        writer.sink.reuse_recorded(writer.out.join(rel), root.join(rel), *record)?;
        if rel.ends_with(".html") {
            writer.note_page(rel)?;
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

/// The pages of a kind with one page per row of `table`, `<dir>/<id>.html`.
pub struct RowPages<'t> {
    pub table: &'t str,
    pub dir: &'t str,
    pub template: &'t str,
    /// The column with the page's id.
    pub id: &'t str,
    /// The list columns the page puts in order itself: fingerprinted as multisets.
    pub sorted: &'t [&'t str],
    /// Every value outside the table that any of the kind's pages may show (lookups
    /// into other tables, the browse pages' addresses, ...), fingerprinted once.
    pub globals: Fingerprint,
    /// The ranges of ids queried one after another (see `page_chunks`).
    pub chunks: Vec<IdRange>,
}

/// The ranges of ids the pages of `kind` (one of `parts::PART_KINDS`) are queried and
/// rendered in: the ids of the part being made (all, in a whole build), cut so that each
/// range's pages weigh at most `budget` (by the kind's weight column; otherwise each
/// page weighs 1). The page table is a view, so only one range's rows (their lists, the
/// aggregates making them) are held at a time: at 8x the full data the person pages'
/// table alone held 1.4-1.8 GB.
pub async fn page_chunks(site: &Site<'_>, kind: &str, budget: u64) -> Result<Vec<IdRange>> {
    let pages = parts::PART_KINDS.iter().find(|p| p.kind == kind).with_context(|| format!("{kind} pages are not made in ranges"))?;
    let range = site.part_range(kind_dir(kind)?)?.unwrap_or_default();
    let columns: Vec<&str> = std::iter::once(pages.id).chain(pages.weight).collect();
    let mut weighted = Vec::new();
    for batch in
        site.ctx.table(pages.table).await.with_context(|| format!("table {}", pages.table))?.select_columns(&columns)?.collect().await?
    {
        for row in 0..batch.num_rows() {
            let Some(id) = crate::foundation::cells::int_at(batch.column(0).as_ref(), row) else { continue };
            let weight = match pages.weight {
                Some(_) => crate::foundation::cells::int_at(batch.column(1).as_ref(), row).unwrap_or_default().max(0) as u64,
                None => 1,
            };
            weighted.push((id, weight));
        }
    }
    weighted.sort_unstable();
    weighted.dedup_by_key(|(id, _)| *id);
    Ok(range.chunks(&weighted, budget))
}

/// The directory of the pages of `kind`.
fn kind_dir(kind: &str) -> Result<&'static str> {
    PAGE_KINDS.iter().find(|k| k.name == kind).map(|k| k.dir).with_context(|| format!("no {kind} pages"))
}

/// The rows of `df` whose `column` is in `range`.
fn rows_in(df: datafusion::prelude::DataFrame, column: &str, range: IdRange) -> Result<datafusion::prelude::DataFrame> {
    use datafusion::prelude::{col, lit};
    let mut df = df;
    if let Some(from) = range.from {
        df = df.filter(col(column).gt_eq(lit(from)))?;
    }
    if let Some(to) = range.to {
        df = df.filter(col(column).lt(lit(to)))?;
    }
    Ok(df)
}

/// Renders every page of `pages` in parallel, batch by batch straight from Arrow. Each
/// page's fingerprint is made from its row's cells, the kind's `globals` and what
/// `row_extra` adds for the row (the values it looks up by the row's keys), without
/// building its context: an unchanged page is linked, and only the others get their
/// context from `page_context`. Both closures must see everything the page shows.
async fn render_rows(
    site: &Site<'_>,
    pages: RowPages<'_>,
    row_extra: impl Fn(&RecordBatch, usize, &mut Fingerprinter) + Sync,
    page_context: impl Fn(PageRow<'_>) -> Mj + Sync,
) -> Result<Written> {
    let mut written = Written::default();
    let table = pages.table;
    // A part of the site renders the pages of its ids only.
    let range = site.part_range(pages.dir)?;
    let parallel = PAGE_KINDS[site.writer.kind.load(Ordering::Relaxed)].parallel_sql;
    for chunk in &pages.chunks {
        let df = rows_in(site.ctx.table(table).await.with_context(|| format!("table {table}"))?, pages.id, *chunk)?;
        // Planned as the kind's script runs (see `PageKind::parallel_sql`).
        if parallel {
            engine::set_target_partitions(site.ctx, engine::cores());
        }
        let plan = df.create_physical_plan().await;
        engine::switch_to_deterministic_plans(site.ctx);
        let plan = plan?;
        if std::env::var("MARQUEE_TRACE").is_ok_and(|level| level == "3") {
            trace_note(&format!("{table}, ids {chunk:?}:\n{}", datafusion::physical_plan::displayable(plan.as_ref()).indent(true)));
        }
        let stream = datafusion::physical_plan::execute_stream(plan, site.ctx.task_ctx())?;
        written += render_stream(site, &pages, range, stream, &row_extra, &page_context).await?;
    }
    trace_note(&format!("{}: {} pages, queried in {} ranges of ids", pages.dir, written.pages, pages.chunks.len()));
    Ok(written)
}

/// Renders the pages of the rows `stream` gives (see `render_rows`).
async fn render_stream(
    site: &Site<'_>,
    pages: &RowPages<'_>,
    range: Option<IdRange>,
    mut stream: datafusion::physical_plan::SendableRecordBatchStream,
    row_extra: &(impl Fn(&RecordBatch, usize, &mut Fingerprinter) + Sync),
    page_context: &(impl Fn(PageRow<'_>) -> Mj + Sync),
) -> Result<Written> {
    use futures::StreamExt;
    let mut written = Written::default();
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
        let ids = values::column(&batch, pages.id)?;
        let schema = values::schema_print(&batch);
        let sorted: Vec<bool> = names.iter().map(|n| pages.sorted.contains(&n.as_str())).collect();
        let sizes: Vec<Option<u64>> = (0..batch.num_rows())
            .into_par_iter()
            .map(|row| {
                let id = crate::foundation::cells::int_at(ids, row).unwrap_or_default();
                if range.is_some_and(|r| !r.contains(id)) {
                    return Ok(None);
                }
                let mut inputs = Fingerprinter::new("page row");
                inputs.add_fingerprint(pages.globals).add_fingerprint(schema);
                for (column, sorted) in batch.columns().iter().zip(&sorted) {
                    if *sorted {
                        values::hash_unordered_list(&mut inputs, column.as_ref(), row);
                    } else {
                        values::hash_cell(&mut inputs, column.as_ref(), row);
                    }
                }
                row_extra(&batch, row, &mut inputs);
                site.writer
                    .page_of_inputs(pages.dir, &format!("{id}.html"), pages.template, inputs.finish(), || {
                        page_context(PageRow::read(&batch, &names, row))
                    })
                    .map(Some)
            })
            .collect::<Result<_>>()?;
        written.pages += sizes.iter().flatten().count();
        written.bytes += sizes.iter().flatten().sum::<u64>();
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_over_the_limit_is_refused_by_name() {
        assert!(check_page_size("browse/genre/drama.html", 1024, 1024).is_ok());
        let err = check_page_size("browse/genre/drama.html", 1_507_123, 200 * 1024).unwrap_err().to_string();
        assert!(err.starts_with("page browse/genre/drama.html is 1471.8 KB (1507123 bytes), over the 200 KB limit"), "{err}");
    }

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
