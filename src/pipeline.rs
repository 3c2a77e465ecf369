//! The whole build, stage by stage: load, etl, recommend, questions, bundle, site,
//! publish. Nothing reaches the output directory until every stage has succeeded.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use datafusion::prelude::SessionContext;

use crate::foundation::engine;
use crate::foundation::fingerprint;
use crate::foundation::fingerprint::Fingerprint;
use crate::foundation::output::FileSink;
use crate::foundation::reuse::{self, FileLog, FileRecord};
use crate::foundation::tables;
use crate::foundation::timing::Stopwatch;
use crate::settings::REJECTS_SHOWN;
use crate::stages::etl::{self, Accounting};
use crate::stages::load::spill::SpillDir;
use crate::stages::publish::{self, Staging};
use crate::stages::questions::Answers;
use crate::stages::site::templates::Theme;
use crate::stages::{bundle, load, questions, recommend, site};

pub mod parts;
mod reuse_data;
pub mod stage_results;
use reuse_data::{DataState, NotReused, ReusedFile};
use stage_results::{Found, Until};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub data: PathBuf,
    pub out: PathBuf,
    /// Largest share of a file's records that may be rejected as damaged.
    pub max_reject_share: f64,
    /// Smallest share of the previous build's movies a new build must keep to replace it.
    pub min_movie_share: f64,
    /// Publish even when the new build keeps fewer movies than `min_movie_share` allows.
    pub allow_shrink: bool,
    /// The page size limit and the browse lists' page length.
    pub site: site::SiteOptions,
    /// How the previous output is removed after the swap.
    pub cleanup: publish::Cleanup,
    /// Read the templates and static files from this directory instead of the copies
    /// compiled in.
    pub templates: Option<PathBuf>,
    /// The most memory the SQL engine may hold, in bytes, spilling beyond it.
    pub memory_limit: Option<usize>,
    /// Put the recommendations and the person and movie pages together from this many
    /// parts made by separate runs (`--until recommend|site --part K/N`; see `parts`).
    pub parts: Option<usize>,
    /// Where the ETL's SQL runs: here, or on a Ballista cluster.
    pub engine: engine::Engine,
}

/// What a finished build reports.
pub struct BuildSummary {
    pub accounting: Accounting,
    pub recommend: recommend::RecommendStats,
    pub bundle: bundle::BundleStats,
    pub site: site::SiteStats,
    /// Why the previous build's records were not trusted, if they were not.
    pub cache_distrusted: Option<String>,
    /// Whether load, etl, recommend, questions and the bundle were reused.
    pub data_reused: bool,
    /// The sources whose ETL results were reused when the ETL ran (see
    /// `stages::etl::reuse`).
    pub etl_reused: Vec<&'static str>,
    /// Pages of the previous output that this build no longer has.
    pub pages_deleted: usize,
    /// Files linked from the previous output without being made (pages, bundle, tables).
    pub files_reused: usize,
}

/// Where the data stages' results come from.
enum DataResults {
    /// Made by this build: the answers, still to be written into the bundle, and the
    /// directory their rows wait in (removed when dropped, however the build ends).
    Made { answers: Vec<Answers>, spill: SpillDir },
    /// Reused from the previous build: its bundle and table files, to be linked.
    Reused { bundle: bundle::BundleStats, bundle_files: Vec<ReusedFile>, table_files: Vec<ReusedFile> },
}

/// Builds `opts.out` from `opts.data`; on any error the previous output stays as it was.
///
/// What the previous build made from the same things is reused: the data stages when
/// the inputs and the program are unchanged (see `reuse`), and each page whose template
/// and content are unchanged.
pub async fn build(opts: &BuildOptions, watch: &mut Stopwatch) -> Result<BuildSummary> {
    // Before any work: a build that cannot publish should say so at once.
    publish::check_replaceable(&opts.out)?;
    publish::check_data_outside(&opts.out, &opts.data)?;
    let previous_movies = previous_movie_count(&opts.out);
    let theme = Theme::from_option(opts.templates.as_deref())?;
    let cache = reuse::cache_dir(&opts.out);
    let (file_log, mut cache_distrusted) = FileLog::read(&cache);
    let program = fingerprint::program_fingerprint().context("reading the program's own file")?;
    let inputs = load::find_inputs(&opts.data)?;
    let data = watch.time("fingerprint", async { reuse_data::data_fingerprint(program, &inputs) }).await?;
    // Before any work too: the parts a build is put together from are all there.
    let site_parts = match opts.parts {
        Some(_) => watch.time("check parts", async { parts::site_parts(opts, &cache, &theme, program, data, &file_log) }).await?,
        None => None,
    };
    let reused = match opts.out.is_dir() {
        true => watch.time("previous data", reuse_data::reuse_data(&cache, data, &file_log, &opts.out, opts.memory_limit)).await,
        false => Err(NotReused::Nothing),
    };
    let mut etl_reused = Vec::new();
    let (ctx, accounting, people_answers, recs, results) = match reused {
        Ok(r) => {
            watch.mark_reused(&["load", "etl", "recommend", "questions"]);
            // Answer rows a killed build left waiting for its bundle are of no use now.
            let _ = std::fs::remove_dir_all(questions::spill_dir(&cache));
            refuse_unless_publishable(&r.accounting, previous_movies, opts)?;
            let results = DataResults::Reused { bundle: r.bundle, bundle_files: r.bundle_files, table_files: r.table_files };
            (r.ctx, r.accounting, r.people_answers, r.recommend, results)
        }
        Err(why) => {
            if let NotReused::Distrusted(why) = why {
                cache_distrusted = cache_distrusted.or(Some(why));
            }
            let (ctx, accounting, kept) = cleaned(&cache, data, &inputs, opts, watch).await?;
            etl_reused = kept.sources;
            cache_distrusted = cache_distrusted.or(kept.distrusted);
            refuse_unless_publishable(&accounting, previous_movies, opts)?;
            let (recs, kept) = recommended(&cache, data, &ctx, watch, opts.parts).await?;
            cache_distrusted = cache_distrusted.or(kept.distrusted);
            let spill = SpillDir::create(&questions::spill_dir(&cache)).context("making the answers' spill directory")?;
            let questions = engine::run_on(&opts.engine, &ctx, opts.memory_limit, async |ctx: &SessionContext| {
                questions::run(ctx, Some(spill.path())).await
            });
            let (answers, people_answers) = watch.time("questions", questions).await?;
            (ctx, accounting, people_answers, recs, DataResults::Made { answers, spill })
        }
    };
    let data_made = matches!(results, DataResults::Made { .. });
    let staging = Staging::create(&opts.out)?;
    // Unchanged files are hard-linked from the output being replaced.
    let previous = Some(opts.out.as_path());
    let mut page_reuse = site::PageReuse::new(&theme, program, (data, !data_made), &file_log, previous)?;
    page_reuse.parts = site_parts;
    let written = async {
        let mut records = Vec::new();
        // Bundle and table files linked without being made.
        let mut linked = 0;
        // The bundle goes first: it drops the answers as it writes them, so they are not
        // held through the render's memory peak.
        let (bundle, table_files) = match results {
            DataResults::Made { answers, spill } => {
                let made_from = reuse_data::bundle_fingerprint(data);
                let parts = bundle::BundleReuse { log: &file_log, previous, dir: Some(cache.join("bundle")), program };
                let (stats, files) =
                    watch.time("bundle", async { bundle::write(&staging.dir, &parts, answers, &accounting.tables, made_from) }).await?;
                drop(spill);
                records.extend(files);
                (stats, None)
            }
            DataResults::Reused { bundle, bundle_files, table_files } => {
                records.extend(watch.time_reused("bundle", async { link_files(&staging.dir, &bundle_files) }).await?);
                linked += bundle_files.len();
                let bundle = bundle::BundleStats { questions_reused: questions::QUESTIONS.len(), ..bundle };
                (bundle, Some(table_files))
            }
        };
        let mut site =
            watch.time("site", site::site(&ctx, &accounting, &people_answers, &staging.dir, &theme, &page_reuse, &opts.site)).await?;
        records.append(&mut site.records);
        match table_files {
            None => {
                let written = watch
                    .time(
                        "publish",
                        publish::write_tables_and_manifest(&ctx, &accounting, &staging.dir, &stage_results::etl_table_dir(&cache)),
                    )
                    .await?;
                records.extend(record_files(&staging.dir, &written, reuse_data::tables_fingerprint(data))?);
            }
            Some(files) => {
                records.extend(watch.time_reused("publish", async { link_files(&staging.dir, &files) }).await?);
                linked += files.len();
            }
        }
        anyhow::Ok((site, bundle, records, linked))
    }
    .await;
    match written {
        Ok((site, bundle, records, linked)) => {
            staging.publish(opts.cleanup)?;
            // Published: failing to record it for the next build only costs that build time.
            let state = data_made.then(|| DataState {
                data: data.to_string(),
                accounting: accounting.clone(),
                rejects: accounting.rejects.clone(),
                people_answers,
                recommend: recs.clone(),
                bundle: bundle.clone(),
            });
            if let Err(e) = remember(&cache, &records, state.as_ref()) {
                eprintln!("marquee: warning: could not record the output for the next build's reuse: {e:#}");
            }
            stage_results::forget(&cache);
            parts::forget(&cache);
            let pages_deleted = deleted_pages(&file_log, &records);
            let files_reused = site.files_reused + linked;
            Ok(BuildSummary {
                accounting,
                recommend: recs,
                bundle,
                site,
                cache_distrusted,
                data_reused: !data_made,
                etl_reused,
                pages_deleted,
                files_reused,
            })
        }
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

/// Whether a stage's results were kept from a partial run, and why kept results were
/// not trusted, if they were not.
#[derive(Default)]
struct Kept {
    reused: bool,
    distrusted: Option<String>,
    /// The sources whose ETL results were reused by the ETL that ran.
    sources: Vec<&'static str>,
}

impl Kept {
    fn of<T>(found: Found<T>) -> (Option<T>, Kept) {
        match found {
            Found::Some(t) => (Some(t), Kept { reused: true, ..Kept::default() }),
            Found::Nothing => (None, Kept::default()),
            Found::Distrusted(why) => (None, Kept { distrusted: Some(why), ..Kept::default() }),
        }
    }
}

/// The clean tables and their accounting: kept by `marquee build --until` for the same
/// data, or made by load and etl, which reuse each source's results kept for the same
/// file and kept movie ids (`etl::SourceReuse`).
async fn cleaned(
    cache: &Path,
    data: Fingerprint,
    inputs: &[(&'static load::Source, load::Found)],
    opts: &BuildOptions,
    watch: &mut Stopwatch,
) -> Result<(SessionContext, Accounting, Kept)> {
    let (found, mut kept) = match stage_results::has_etl(cache, data) {
        true => Kept::of(watch.time("read kept etl", stage_results::load_etl(cache, data, opts.memory_limit)).await),
        false => (None, Kept::default()),
    };
    if let Some((ctx, accounting)) = found {
        watch.mark_kept(&["load", "etl"]);
        return Ok((ctx, accounting, kept));
    }
    // The raw text goes to files here and is read from them by the ETL, never held
    // whole (at 4x the full data it was 1.1 GB held at the ETL's start).
    let spill = load::spill::SpillDir::create(&cache.join("load-spill")).context("making the loader's spill directory")?;
    let (mut reuse, mut loaded) = watch
        .time("load", async {
            let reuse = etl::SourceReuse::open(cache, inputs).spilling_into(spill.path());
            load::load_found_spilling(&reuse.to_load(inputs), Some(spill.path())).map(|loaded| (reuse, loaded))
        })
        .await?;
    let ctx = engine::context_on(&opts.engine, opts.memory_limit).await?;
    let accounting = watch
        .time("etl", async {
            etl::run_reusing(&ctx, &mut loaded, &mut reuse).await?;
            account_and_release(&ctx, &loaded).await
        })
        .await?;
    drop(loaded);
    drop(spill);
    let ctx = engine::on_this_machine(ctx, opts.memory_limit).await?;
    kept.distrusted = kept.distrusted.or(reuse.distrusted);
    kept.sources = reuse.reused;
    // Written once, here: the later stages read the tables from these files instead of
    // holding them (1.2-1.4 GB at 4x the full data), and publishing links them.
    let ctx = watch.time("keep etl", stage_results::keep_etl(cache, data, ctx, &accounting, opts.memory_limit)).await?;
    Ok((ctx, accounting, kept))
}

/// The recommendations, registered in `ctx`: kept by `marquee build --until recommend`
/// for the same data, or made.
/// With `parts`, the recommendations not kept whole are put together from that many
/// parts (`--until recommend --part K/N`), never made here.
async fn recommended(
    cache: &Path,
    data: Fingerprint,
    ctx: &SessionContext,
    watch: &mut Stopwatch,
    parts: Option<usize>,
) -> Result<(recommend::RecommendStats, Kept)> {
    let (found, kept) = match stage_results::has_recommend(cache, data) {
        true => Kept::of(watch.time("read kept recommend", stage_results::load_recommend(cache, data, ctx)).await),
        false => (None, Kept::default()),
    };
    if let Some(stats) = found {
        watch.mark_kept(&["recommend"]);
        return Ok((stats, kept));
    }
    if let Some(count) = parts {
        let stats = watch.time("read recommend parts", async { stage_results::load_recommend_parts(cache, data, count, ctx) }).await?;
        watch.mark_kept(&["recommend"]);
        return Ok((stats, Kept { reused: true, ..kept }));
    }
    // Its neighbourhoods are kept apart: a change of numbers alone reuses them.
    let neighbourhoods = recommend::neighbourhoods::dir(cache);
    let (stats, distrusted) = watch.time("recommend", recommend::run_keeping(ctx, Some(&neighbourhoods))).await?;
    watch.time("keep recommend", stage_results::keep_recommend(cache, data, ctx, &stats)).await?;
    Ok((stats, Kept { distrusted: kept.distrusted.or(distrusted), ..kept }))
}

/// What a partial run did.
pub struct PartialSummary {
    pub accounting: Accounting,
    pub recommend: Option<recommend::RecommendStats>,
    /// Stages whose results were already kept for this data.
    pub kept: Vec<&'static str>,
    /// The sources whose ETL results were reused when the ETL ran.
    pub etl_reused: Vec<&'static str>,
    pub cache_distrusted: Option<String>,
    /// Where the results are kept.
    pub dir: PathBuf,
}

/// What a run that publishes nothing (`--until`, `--part`) starts from.
struct Partial {
    cache: PathBuf,
    program: Fingerprint,
    data: Fingerprint,
    /// The clean tables.
    ctx: SessionContext,
    summary: PartialSummary,
}

/// The clean tables of a run that publishes nothing, made or read from the kept etl
/// results, refused as a whole build would refuse them.
async fn cleaned_for_partial(opts: &BuildOptions, watch: &mut Stopwatch) -> Result<Partial> {
    publish::check_data_outside(&opts.out, &opts.data)?;
    let cache = reuse::cache_dir(&opts.out);
    let program = fingerprint::program_fingerprint().context("reading the program's own file")?;
    let inputs = load::find_inputs(&opts.data)?;
    let data = watch.time("fingerprint", async { reuse_data::data_fingerprint(program, &inputs) }).await?;
    let (ctx, accounting, etl) = cleaned(&cache, data, &inputs, opts, watch).await?;
    refuse_unless_publishable(&accounting, previous_movie_count(&opts.out), opts)?;
    // The etl results are kept by `cleaned` whether or not they were made now.
    let summary = PartialSummary {
        kept: if etl.reused { vec!["load", "etl"] } else { Vec::new() },
        accounting,
        recommend: None,
        etl_reused: etl.sources,
        cache_distrusted: etl.distrusted,
        dir: cache.join("stages"),
    };
    Ok(Partial { cache, program, data, ctx, summary })
}

/// Runs the data stages up to `until` and keeps their results in the cache beside
/// `opts.out` for the next run, without touching the output. The same refusals as a
/// whole build apply, so a partial run fails where the build would.
pub async fn build_until(opts: &BuildOptions, until: Until, watch: &mut Stopwatch) -> Result<PartialSummary> {
    if until == Until::Site {
        bail!("--until site makes one part of the site: give --part K/N (a whole site is `marquee build`)");
    }
    let Partial { cache, data, ctx, mut summary, .. } = cleaned_for_partial(opts, watch).await?;
    if until == Until::Recommend {
        let (stats, rec) = recommended(&cache, data, &ctx, watch, opts.parts).await?;
        if rec.reused {
            summary.kept.push("recommend");
        }
        // Put together from parts, they are kept whole for the next run.
        if !stage_results::has_recommend(&cache, data) {
            watch.time("keep recommend", stage_results::save_recommend(&cache, data, &ctx, &stats)).await?;
        }
        summary.cache_distrusted = summary.cache_distrusted.or(rec.distrusted);
        summary.recommend = Some(stats);
    }
    Ok(summary)
}

/// Records what each file of the published output was made from and, when the data
/// stages ran, their in-memory results, for the next build. The file log goes first:
/// a state without its files is never reused.
fn remember(cache: &Path, records: &[(String, FileRecord)], state: Option<&DataState>) -> Result<()> {
    FileLog::write(cache, records)?;
    if let Some(state) = state {
        state.write(cache)?;
    }
    Ok(())
}

/// Pages the previous build recorded that this one did not make.
fn deleted_pages(previous: &FileLog, records: &[(String, FileRecord)]) -> usize {
    let now: std::collections::HashSet<&str> = records.iter().map(|(rel, _)| rel.as_str()).collect();
    previous.files.keys().filter(|rel| rel.ends_with(".html") && !now.contains(rel.as_str())).count()
}

/// Links the previous output's files into `root`, making directories as needed.
fn link_files(root: &Path, files: &[ReusedFile]) -> Result<Vec<(String, FileRecord)>> {
    let sink = FileSink::start(root, None);
    for (rel, old, made_from) in files {
        sink.reuse(root.join(rel), old.clone(), *made_from)?;
    }
    Ok(sink.finish()?.records)
}

/// Records files written under `root` (paths relative to it) as made from `made_from`.
fn record_files(root: &Path, rels: &[String], made_from: Fingerprint) -> Result<Vec<(String, FileRecord)>> {
    rels.iter()
        .map(|rel| Ok((rel.clone(), FileRecord::of(&root.join(rel), made_from).with_context(|| format!("reading back {rel}"))?)))
        .collect()
}

/// The refusals that come before anything is written: too many damaged records, or
/// too few movies to replace the previous build. rejects.csv goes beside the output.
fn refuse_unless_publishable(accounting: &Accounting, previous_movies: Option<u64>, opts: &BuildOptions) -> Result<()> {
    let checked = check_reject_share(accounting, opts.max_reject_share).and_then(|()| check_movie_count(accounting, previous_movies, opts));
    checked.map_err(|refusal| with_rejects_beside(refusal, accounting, &opts.out))
}

/// The ETL and its row accounting, after which only the clean tables stay in memory,
/// planned deterministically: what every later stage starts from.
pub async fn clean(loaded: &mut [load::LoadedFile]) -> Result<(SessionContext, Accounting)> {
    clean_within(loaded, None).await
}

/// [`clean`] with the SQL engine's memory bounded by `memory_limit` bytes.
pub async fn clean_within(loaded: &mut [load::LoadedFile], memory_limit: Option<usize>) -> Result<(SessionContext, Accounting)> {
    let ctx = engine::new_context_within(memory_limit);
    etl::run(&ctx, loaded).await?;
    let accounting = account_and_release(&ctx, loaded).await?;
    Ok((ctx, accounting))
}

/// The row accounting of the ETL that ran in `ctx`; then only the clean tables stay,
/// planned deterministically.
async fn account_and_release(ctx: &SessionContext, loaded: &[load::LoadedFile]) -> Result<Accounting> {
    let accounting = etl::account(ctx, loaded).await?;
    etl::release_intermediate_tables(ctx)?;
    engine::switch_to_deterministic_plans(ctx);
    Ok(accounting)
}

/// Every stage that reads the data, without writing anything: the ETL and its
/// accounting, then recommend and the questions. The hostile-input corpus test and the
/// etl fuzz target run inputs through it; none may panic or abort the run.
pub async fn dry_run(loaded: &mut [load::LoadedFile]) -> Result<Accounting> {
    let (ctx, accounting) = clean(loaded).await?;
    recommend::run(&ctx).await?;
    questions::run(&ctx, None).await?;
    Ok(accounting)
}

/// Fails the build when a file has more damaged records than the configured share.
pub fn check_reject_share(accounting: &Accounting, max_share: f64) -> Result<()> {
    let over: Vec<String> = accounting
        .inputs
        .values()
        .filter(|a| a.records_read > 0 && a.damaged() as f64 > max_share * a.records_read as f64)
        .map(|a| {
            format!(
                "{}: {} of {} records rejected as damaged ({:.2}%, limit {:.2}%):\n{}",
                a.file,
                a.damaged(),
                a.records_read,
                100.0 * a.damaged() as f64 / a.records_read as f64,
                100.0 * max_share,
                reasons_text(a)
            )
        })
        .collect();
    if !over.is_empty() {
        bail!("{}\nfix the input or raise --max-reject-share", over.join("\n"));
    }
    Ok(())
}

/// Refuses to publish a build with no movies, or one that keeps fewer than
/// `min_movie_share` of the previous build's movies (unless `allow_shrink`): a truncated
/// download or a broken export should not silently replace a good site.
pub fn check_movie_count(accounting: &Accounting, previous: Option<u64>, opts: &BuildOptions) -> Result<()> {
    let Some(movies) = accounting.inputs.get(tables::MOVIES) else { bail!("no movies file was loaded") };
    if movies.kept == 0 {
        bail!(
            "{}: no movie kept out of {} records; refusing to publish an empty site. What happened to the records:\n{}",
            movies.file,
            movies.records_read,
            reasons_text(movies)
        );
    }
    match previous {
        Some(before) if !opts.allow_shrink && (movies.kept as f64) < opts.min_movie_share * before as f64 => bail!(
            "{}: {} movies kept of {} records, fewer than {:.0}% of the {before} movies of the build in {}; refusing to replace it. \
             Pass --allow-shrink to publish anyway (or lower --min-movie-share). What happened to the records:\n{}",
            movies.file,
            movies.kept,
            movies.records_read,
            100.0 * opts.min_movie_share,
            opts.out.display(),
            reasons_text(movies)
        ),
        _ => Ok(()),
    }
}

/// How many movies the build published in `out` says it has, if there is one.
fn previous_movie_count(out: &Path) -> Option<u64> {
    publish::published_manifest(out)?["tables"][tables::MOVIES].as_u64()
}

fn reasons_text(account: &etl::FileAccount) -> String {
    if account.rejected_by_reason.is_empty() {
        return format!("  {:>7}  kept\n  {:>7}  duplicates", account.kept, account.duplicates);
    }
    account.rejected_by_reason.iter().map(|(r, n)| format!("  {n:>7}  {r}")).collect::<Vec<_>>().join("\n")
}

/// A refused build writes its rejects.csv beside the output (the output itself is left
/// as it was) and names it, with the first rejected records, in the error.
fn with_rejects_beside(refusal: anyhow::Error, accounting: &Accounting, out: &Path) -> anyhow::Error {
    // Damaged records first: they are what usually needs fixing.
    let damaged = |r: &&etl::Reject| !etl::RuleRemoval::is_rule(&r.reason);
    let first: Vec<String> = accounting
        .rejects
        .iter()
        .filter(damaged)
        .chain(accounting.rejects.iter().filter(|r| !damaged(r)))
        .take(REJECTS_SHOWN)
        .map(|r| format!("  {}:{}: {} ({})", r.file, r.line, r.reason, r.detail))
        .collect();
    let listing = if first.is_empty() { String::new() } else { format!("\nfirst rejected records:\n{}", first.join("\n")) };
    let written = match rejects_beside(out) {
        Some(path) => match write_rejects_atomically(accounting, &path) {
            Ok(()) => format!("\nall {} rejected records, with their lines: {}", accounting.rejects.len(), path.display()),
            Err(e) => format!("\n(could not write {}: {e:#})", path.display()),
        },
        None => String::new(),
    };
    anyhow::anyhow!("{refusal:#}{listing}{written}")
}

/// `<out>.rejects.csv` in the output's parent directory.
fn rejects_beside(out: &Path) -> Option<std::path::PathBuf> {
    let name = out.file_name()?.to_string_lossy().into_owned();
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(parent.join(format!("{name}.rejects.csv")))
}

fn write_rejects_atomically(accounting: &Accounting, path: &Path) -> Result<()> {
    let partial = path.with_extension(format!("csv.partial-{}", std::process::id()));
    publish::write_rejects(accounting, &partial)?;
    std::fs::rename(&partial, path).with_context(|| format!("renaming {}", partial.display()))
}
