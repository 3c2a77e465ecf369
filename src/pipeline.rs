//! The whole build, stage by stage: load, etl, recommend, questions, bundle, site,
//! publish. Nothing reaches the output directory until every stage has succeeded.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use datafusion::prelude::SessionContext;

use crate::foundation::base_url::BaseUrl;
use crate::foundation::engine;
use crate::foundation::tables;
use crate::foundation::timing::Stopwatch;
use crate::settings::REJECTS_SHOWN;
use crate::stages::etl::{self, Accounting};
use crate::stages::publish::{self, Staging};
use crate::stages::{bundle, load, questions, recommend, site};

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
    /// How the previous output is removed after the swap.
    pub cleanup: publish::Cleanup,
    /// Where the site will be published: adds sitemap.xml, robots.txt, canonical links
    /// and Open Graph tags. Without it no page holds an absolute address.
    pub base_url: Option<BaseUrl>,
}

/// What a finished build reports.
pub struct BuildSummary {
    pub accounting: Accounting,
    pub recommend: recommend::RecommendStats,
    pub bundle: bundle::BundleStats,
    pub site: site::SiteStats,
}

/// Builds `opts.out` from `opts.data`; on any error the previous output stays as it was.
pub async fn build(opts: &BuildOptions, watch: &mut Stopwatch) -> Result<BuildSummary> {
    // Before any work: a build that cannot publish should say so at once.
    publish::check_replaceable(&opts.out)?;
    publish::check_data_outside(&opts.out, &opts.data)?;
    let previous_movies = previous_movie_count(&opts.out);
    let mut loaded = watch.time("load", async { load::load_all(&opts.data) }).await?;
    let (ctx, accounting) = watch.time("etl", clean(&mut loaded)).await?;
    drop(loaded);
    let checked =
        check_reject_share(&accounting, opts.max_reject_share).and_then(|()| check_movie_count(&accounting, previous_movies, opts));
    if let Err(refusal) = checked {
        return Err(with_rejects_beside(refusal, &accounting, &opts.out));
    }
    let recs = watch.time("recommend", recommend::run(&ctx)).await?;
    let (answers, people_answers) = watch.time("questions", questions::run(&ctx)).await?;
    let staging = Staging::create(&opts.out)?;
    // Unchanged files are hard-linked from the output being replaced.
    let previous = Some(opts.out.as_path());
    let written = async {
        // The bundle goes first: it drops the answers as it writes them, so they are not
        // held through the render's memory peak.
        let bundle = watch.time("bundle", async { bundle::write(&staging.dir, previous, answers, &accounting.tables) }).await?;
        let site =
            watch.time("site", site::site(&ctx, &accounting, &people_answers, &staging.dir, previous, opts.base_url.as_ref())).await?;
        watch.time("publish", publish::write_tables_and_manifest(&ctx, &accounting, &staging.dir)).await?;
        anyhow::Ok((site, bundle))
    }
    .await;
    match written {
        Ok((site, bundle)) => {
            staging.publish(opts.cleanup)?;
            Ok(BuildSummary { accounting, recommend: recs, bundle, site })
        }
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

/// The ETL and its row accounting, after which only the clean tables stay in memory,
/// planned deterministically: what every later stage starts from.
pub async fn clean(loaded: &mut [load::LoadedFile]) -> Result<(SessionContext, Accounting)> {
    let ctx = engine::new_context();
    etl::run(&ctx, loaded).await?;
    let accounting = etl::account(&ctx, loaded).await?;
    etl::release_intermediate_tables(&ctx)?;
    engine::switch_to_deterministic_plans(&ctx);
    Ok((ctx, accounting))
}

/// Every stage that reads the data, without writing anything: the ETL and its
/// accounting, then recommend and the questions. The hostile-input corpus test and the
/// etl fuzz target run inputs through it; none may panic or abort the run.
pub async fn dry_run(loaded: &mut [load::LoadedFile]) -> Result<Accounting> {
    let (ctx, accounting) = clean(loaded).await?;
    recommend::run(&ctx).await?;
    questions::run(&ctx).await?;
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
