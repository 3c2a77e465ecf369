//! The site made in parts (`marquee build --until site --part K/N`, then `marquee
//! build --parts N`): each part renders the person and movie pages of its range of ids
//! (see `foundation::parts`) into a directory of its own, with the file log the page
//! reuse reads and a `done` marker written last. The final build checks every part
//! whole, links their pages as it links the previous output's, and renders the rest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use anyhow::{Context, Result, bail};
use datafusion::prelude::SessionContext;

use super::templates::Theme;
use super::{PAGE_KINDS, PageKind, PageReuse, Site, SiteOptions, SiteStats, Writer, Written, browse, kind_record, render_sql};
use crate::foundation::fingerprint::{Fingerprint, Fingerprinter};
use crate::foundation::output::{FileSink, write_atomically};
use crate::foundation::parts::Part;
use crate::foundation::reuse::{FileLog, FileRecord};
use crate::foundation::tables;
use crate::stages::etl::Accounting;
use crate::stages::questions::PeopleAnswers;

/// A kind of page made in parts: one page per id, and `table`'s `id` column holds
/// every id that has a page, cut into ranges. (Not the page table itself: a view, which
/// would make every page's row to list the ids.)
pub struct PartKind {
    pub kind: &'static str,
    pub table: &'static str,
    pub id: &'static str,
    /// The column of `table` saying how many rows of list a page holds, by which a
    /// build cuts the pages into ranges queried one at a time (`page_chunks`); `None`
    /// when each page weighs about the same.
    pub weight: Option<&'static str>,
}

/// The kinds made in parts: the pages of one person or one movie, most of the site.
/// Every other kind is rendered by the final build.
pub const PART_KINDS: &[PartKind] = &[
    PartKind { kind: "people", table: tables::PAGED_PEOPLE, id: "person_id", weight: Some("credits") },
    PartKind { kind: "movies", table: tables::MOVIES, id: "id", weight: None },
];

/// Written last in a part's directory: the part's key.
const DONE: &str = "done";

/// Where part `part` is made, under `dir`.
pub fn part_dir(dir: &Path, part: Part) -> PathBuf {
    dir.join(format!("site-{}", part.name()))
}

/// What a part is made from: the data and the program (`reuse.data`), which part, and
/// what each of its kinds is made from (templates and site options).
pub fn part_key(reuse: &PageReuse<'_>, options: &SiteOptions, part: Part) -> Result<Fingerprint> {
    let mut print = Fingerprinter::new("site part");
    print.add_fingerprint(reuse.data).add_u64(part.index as u64).add_u64(part.count as u64);
    for kind in part_kinds() {
        print.add_fingerprint(reuse.kind_print(kind, options)?);
    }
    Ok(print.finish())
}

fn part_kinds() -> impl Iterator<Item = &'static PageKind> {
    PAGE_KINDS.iter().filter(|k| PART_KINDS.iter().any(|p| p.kind == k.name))
}

/// Renders the pages of `part` into `dir` (an empty directory), then writes its file
/// log and, last, its `done` marker. Pages unchanged from `reuse.previous` are linked
/// from it, as in a whole build.
#[allow(clippy::too_many_arguments)]
pub async fn render_part(
    ctx: &SessionContext,
    accounting: &Accounting,
    people_answers: &PeopleAnswers,
    dir: &Path,
    theme: &Theme,
    reuse: &PageReuse<'_>,
    options: &SiteOptions,
    part: Part,
) -> Result<SiteStats> {
    let env = theme.environment()?;
    let sink = FileSink::start(dir, reuse.previous);
    let writer = Writer::new(&env, dir, &sink, reuse, options);
    let ranges = Some(std::sync::Mutex::new(HashMap::new()));
    let site = Site { ctx, accounting, people_answers, writer, options, facet_pages: std::sync::OnceLock::new(), part_ranges: ranges };
    let mut stats = SiteStats::default();
    // The kinds in render order up to the last one made in parts; of the others, only
    // the browse pages' addresses are needed (the movie pages link to them).
    let last = PAGE_KINDS.iter().rposition(|k| PART_KINDS.iter().any(|p| p.kind == k.name)).context("no kind made in parts")?;
    for (i, kind) in PAGE_KINDS.iter().enumerate().take(last + 1) {
        if let Some(script) = kind.sql {
            render_sql(ctx, script, kind.parallel_sql).await?;
        }
        site.writer.kind.store(i, Ordering::Relaxed);
        match PART_KINDS.iter().find(|p| p.kind == kind.name) {
            Some(made) => {
                std::fs::create_dir_all(dir.join(kind.dir))?;
                let range = part.range_of(&sorted_ids(ctx, made.table, made.id).await?);
                if let Some(ranges) = &site.part_ranges {
                    ranges.lock().map_err(|_| anyhow::anyhow!("a page writer panicked"))?.insert(kind.dir, range);
                }
                let written = (kind.render)(&site, &stats).await.with_context(|| format!("rendering the {} pages", kind.name))?;
                stats.pages += written.pages;
                stats.bytes += written.bytes;
                *stats.kinds.entry(kind.name).or_default() += written;
                let made_from = reuse.kind_print(kind, options)?;
                stats.records.push((kind_record(kind), FileRecord { made_from, inode: 0, size: 0, mtime_ns: 0 }));
            }
            None if kind.name == "browse" => browse::find_facet_pages(&site).await?,
            None => bail!("the {} pages come before the last kind made in parts: the final build renders them", kind.name),
        }
        for table in kind.releases {
            ctx.deregister_table(*table)?;
        }
    }
    (stats.pages_rendered, stats.pages_reused) = (site.writer.rendered.into_inner(), site.writer.reused.into_inner());
    let files = sink.finish()?;
    (stats.files_written, stats.files_linked, stats.files_reused) = (files.written, files.linked, files.reused);
    stats.records.extend(files.records);
    FileLog::write(dir, &stats.records)?;
    let key = part_key(reuse, options, part)?;
    write_atomically(&dir.join(DONE), |w| Ok(std::io::Write::write_all(w, key.to_string().as_bytes())?))?;
    Ok(stats)
}

/// The ids of `table`'s `column`, ascending, without repeats.
async fn sorted_ids(ctx: &SessionContext, table: &str, column: &str) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for batch in ctx.table(table).await?.select_columns(&[column])?.collect().await? {
        let values = batch.column(0);
        ids.extend((0..batch.num_rows()).filter_map(|row| crate::foundation::cells::int_at(values.as_ref(), row)));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Every part of a site made in parts, each checked whole: its `done` marker says it
/// was made from the same data, program, templates and options, its file log reads
/// back, and every file it records is still the file it made.
pub struct SiteParts {
    parts: Vec<(PathBuf, FileLog)>,
}

impl SiteParts {
    /// The `count` parts under `dir`; an error naming every part missing, made from
    /// something else, or damaged.
    pub fn open(dir: &Path, count: usize, reuse: &PageReuse<'_>, options: &SiteOptions) -> Result<SiteParts> {
        let mut parts = Vec::new();
        let mut problems = Vec::new();
        for part in Part::all(count) {
            match open_part(&part_dir(dir, part), part, reuse, options) {
                Ok(log) => parts.push((part_dir(dir, part), log)),
                Err(problem) => problems.push(format!("part {part} {problem}")),
            }
        }
        if !problems.is_empty() {
            bail!(
                "the site cannot be put together from {count} parts: {} (in {}). Run `marquee build --until site --part K/{count}` \
                 for each with the same data, program, templates and options; nothing was published",
                problems.join("; "),
                dir.display()
            );
        }
        Ok(SiteParts { parts })
    }

    /// Links every file of `kind` from the parts.
    pub(super) fn link_kind(&self, site: &Site<'_>, kind: &PageKind) -> Result<Written> {
        let sources: Vec<(&Path, &FileLog)> = self.parts.iter().map(|(dir, log)| (dir.as_path(), log)).collect();
        super::link_kind_from(site, kind, &sources)
    }
}

/// The file log of the part in `dir`, or what is wrong with it.
fn open_part(dir: &Path, part: Part, reuse: &PageReuse<'_>, options: &SiteOptions) -> Result<FileLog, String> {
    let expected = part_key(reuse, options, part).map_err(|e| format!("{e:#}"))?;
    match std::fs::read_to_string(dir.join(DONE)) {
        Err(_) => return Err("is missing (no finished part)".into()),
        Ok(key) if key != expected.to_string() => {
            return Err("was made from other data, another program, other templates or other options".into());
        }
        Ok(_) => {}
    }
    let (log, distrust) = FileLog::read(dir);
    if let Some(why) = distrust {
        return Err(format!("is damaged: {why}"));
    }
    for kind in part_kinds() {
        let print = reuse.kind_print(kind, options).map_err(|e| format!("{e:#}"))?;
        if log.files.get(&kind_record(kind)).is_none_or(|r| r.made_from != print) {
            return Err(format!("is damaged: its file log has no record of its {} pages", kind.name));
        }
    }
    let mut files: Vec<(&String, &FileRecord)> = log.files.iter().filter(|(rel, _)| !rel.starts_with('#')).collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    // A part may come from another machine: its pages stay inside the output.
    let inside = |rel: &str| !rel.starts_with('/') && rel.split('/').all(|c| !c.is_empty() && c != "." && c != "..");
    if let Some((rel, _)) = files.iter().find(|(rel, _)| !inside(rel)) {
        return Err(format!("is damaged: its file log names {rel:?}, outside the part"));
    }
    if let Some((rel, _)) = files.iter().find(|(rel, r)| log.reusable(dir, rel, r.made_from).is_none()) {
        return Err(format!("is damaged: {} changed or went missing since the part was made", dir.join(rel).display()));
    }
    Ok(log)
}
