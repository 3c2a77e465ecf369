// The build makes millions of small allocations (JSON answers, page contexts);
// mimalloc halves their cost against glibc's allocator in profiles.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (checked by a test).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// mimalloc v3 keeps freed memory for a second (10 s for whole arenas) before giving it
/// back; across the build's stages that added 50-90 MB to the peak. Returning it at
/// once cost no measurable time. MIMALLOC_PURGE_DELAY still wins when set.
fn return_freed_memory_promptly() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: plain option setters of the allocator this binary links.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
}

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};

use marquee::commands;
use marquee::foundation::base_url::BaseUrl;
use marquee::foundation::engine::Engine;
#[cfg(feature = "ballista")]
use marquee::foundation::engine::ballista as cluster;
use marquee::foundation::parts::Part;
use marquee::foundation::timing::Stopwatch;
use marquee::pipeline::stage_results::Until;
use marquee::pipeline::{self, BuildOptions};
use marquee::settings::{DEFAULT_BROWSE_PAGE_MOVIES, DEFAULT_MAX_PAGE_KB, DEFAULT_MAX_REJECT_SHARE, DEFAULT_MIN_MOVIE_SHARE};
use marquee::stages::bundle::{self, Lookup};
use marquee::stages::publish::Cleanup;
use marquee::stages::site::{PageRanges, SiteOptions};

/// marquee: The Movies Dataset, cleaned, queried and recommended ahead of time,
/// published as a static site and a JSON lookup bundle.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the build's many options costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Build the output tree (site, JSON bundle, Parquet tables, manifest) from the
    /// Kaggle CSV files in --data.
    ///
    /// Reads movies_metadata.csv (or movies_dataset.csv) and credits.csv, plus optional
    /// keywords.csv, links.csv and ratings_small.csv; each may be gzipped (.csv.gz).
    /// Everything is written to a staging directory and swapped in only when complete.
    Build {
        /// Directory holding the input CSV files.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Output directory to publish (replaced atomically).
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Fail when more than this share of a file's records is rejected as damaged
        /// (rows the ETL rules remove, such as a missing release date, do not count).
        #[arg(long, default_value_t = DEFAULT_MAX_REJECT_SHARE, value_parser = share)]
        max_reject_share: f64,
        /// Refuse to replace a previous build unless the new one keeps at least this
        /// share of its movies (0 to 1).
        #[arg(long, default_value_t = DEFAULT_MIN_MOVIE_SHARE, value_parser = share)]
        min_movie_share: f64,
        /// Publish even when the new build keeps fewer movies than --min-movie-share of
        /// the previous one (a deliberate cut of the input).
        #[arg(long)]
        allow_shrink: bool,
        /// Fail the build, naming the page, when an HTML page is larger than this many
        /// KB (1024 bytes): long lists are paginated to stay under it.
        #[arg(long, default_value_t = DEFAULT_MAX_PAGE_KB, value_parser = clap::value_parser!(u64).range(1..))]
        max_page_kb: u64,
        /// Movies per page of a browse list (facet indexes list five times as many
        /// values a page).
        #[arg(long, default_value_t = DEFAULT_BROWSE_PAGE_MOVIES, value_parser = clap::value_parser!(u64).range(1..10_000).map(|v| v as usize))]
        browse_page_size: usize,
        /// The most film credits the person pages are queried for at once (the pages
        /// of a range of person ids): memory, never output. For the tests.
        #[arg(long, hide = true, default_value_t = PageRanges::default().person_credits, value_parser = clap::value_parser!(u64).range(1..))]
        person_range_credits: u64,
        /// The most movies the movie pages are queried for at once. For the tests.
        #[arg(long, hide = true, default_value_t = PageRanges::default().movies, value_parser = clap::value_parser!(u64).range(1..))]
        movie_range_movies: u64,
        /// Print wall time, CPU time and peak memory per stage.
        #[arg(long)]
        timings: bool,
        /// Write a JSON report to this file: per stage wall and CPU seconds, peak MB and
        /// whether it was reused; pages rendered, reused and deleted; files written,
        /// linked and reused.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Delete the previous output before exiting, instead of in a detached
        /// `marquee purge` process.
        #[arg(long)]
        wait_for_cleanup: bool,
        /// Read the templates and static files from this directory (a copy of the
        /// project's templates/) instead of the ones compiled into marquee.
        #[arg(long)]
        templates: Option<PathBuf>,
        /// The most memory the SQL engine may use, e.g. 512MB or 2GB: sorts and
        /// aggregates spill to temporary files beyond it (slower, same output). The
        /// recommender and the render are not bounded by it.
        #[arg(long, value_name = "SIZE", value_parser = byte_size)]
        memory_limit: Option<usize>,
        /// The http(s) address the site will be published at, e.g.
        /// https://example.org/cine/: writes sitemap.xml and robots.txt, and gives every
        /// page a canonical link and Open Graph tags. Without it no page holds an
        /// absolute address.
        #[arg(long, value_name = "URL", value_parser = base_url)]
        base_url: Option<BaseUrl>,
        /// Run the data stages only up to this one and keep their results in the cache
        /// beside --out (OUT.cache/stages) for the next run, leaving the output as it
        /// is: `make etl` and `make recommend`. A later build of the same data starts
        /// from them.
        #[arg(long, value_name = "STAGE")]
        until: Option<Until>,
        /// With --until recommend or --until site: make only part K of N (movies, and
        /// people for the site, split into N ranges of ids), kept in OUT.cache for a
        /// final `--parts N`. Parts may run in any order, in separate processes or on
        /// machines sharing the data and the output's parent directory.
        #[arg(long, value_name = "K/N", value_parser = part, requires = "until", conflicts_with = "parts")]
        part: Option<Part>,
        /// Put the recommendations and the person and movie pages together from the N
        /// parts made by `--part K/N` runs; refuses, publishing nothing, when a part is
        /// missing, damaged or made from other data or another program.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..10_000).map(|v| v as usize))]
        parts: Option<usize>,
        /// Where the ETL's SQL runs: `local` (DataFusion in this process) or
        /// `ballista://HOST:PORT`, a Ballista cluster of `marquee scheduler` and
        /// `marquee executor` nodes (needs a marquee built with `--features ballista`).
        #[arg(long, value_name = "ENGINE", default_value = "local")]
        engine: String,
        /// With --engine ballista://...: a directory the scheduler and every executor see
        /// at this same path (a shared mount), where the tables held in memory are
        /// written for them to read. This build's files there are removed when it ends.
        #[arg(long, value_name = "DIR")]
        scratch: Option<PathBuf>,
    },
    /// Run a Ballista scheduler for `marquee build --engine ballista://HOST:PORT`, with
    /// marquee's SQL functions known (the stock Ballista binaries do not know them).
    #[cfg(feature = "ballista")]
    Scheduler {
        /// Address to listen on (clients and executors connect here).
        #[arg(long, default_value = "0.0.0.0:50050")]
        bind: std::net::SocketAddr,
        /// The host name the executors reach this scheduler at.
        #[arg(long, default_value = "localhost")]
        external_host: String,
        /// Seconds without a poll after which an executor counts as dead and its
        /// tasks are run again elsewhere.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
        executor_timeout: u64,
    },
    /// Run a Ballista executor for the scheduler at --scheduler, with marquee's SQL
    /// functions. It must see the build's --scratch at the same path as the machine
    /// running `marquee build` (the scheduler too).
    #[cfg(feature = "ballista")]
    Executor {
        /// The scheduler, HOST:PORT.
        #[arg(long, default_value = "localhost:50050")]
        scheduler: String,
        /// Address to serve shuffle and result data on (the other executors and the
        /// client fetch from here).
        #[arg(long, default_value = "0.0.0.0:50051")]
        bind: std::net::SocketAddr,
        /// The host name the other nodes reach this executor at.
        #[arg(long, default_value = "localhost")]
        external_host: String,
        /// Tasks run at once (0: one per core).
        #[arg(long, default_value_t = 0)]
        concurrency: usize,
        /// Where shuffle files go (default: a temporary directory).
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
    /// Remove a previous output tree left beside the output (what a build starts in the
    /// background after publishing).
    #[command(hide = true)]
    Purge { dir: PathBuf },
    /// Answer a question from a built output, like the API did.
    ///
    /// Example: marquee ask cantidad_filmaciones_dia "miércoles". Exit status 1 with the
    /// closest known inputs when nothing matches.
    Ask {
        /// Question name, e.g. score_titulo, get_actor, recomendacion.
        question: String,
        /// The input (title, name, month, ...): case, accents and extra spaces do not matter.
        input: String,
        /// Built output directory.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Print {question, input, answers:[...]} as JSON instead of the sentences.
        #[arg(long)]
        json: bool,
    },
    /// Run SQL against the clean tables of a data directory (after load and ETL).
    Sql {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// One SQL statement, e.g. "SELECT COUNT(*) FROM movies".
        query: String,
    },
    /// Write an N-times bigger copy of a dataset (new ids, varied titles, overviews and
    /// casts, same distributions), for `make bench`.
    Scale {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 2)]
        factor: i64,
        /// Write the ratings as ratings.csv (the full MovieLens file's name) with
        /// exactly this many rows, adding synthetic users made from the real ones.
        #[arg(long)]
        ratings_rows: Option<u64>,
    },
    /// Measure recommendation quality on a data directory, against a genres-only baseline.
    Eval {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Also write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Instead, score the recommender's hyperparameter grid (TUNING_GRID in
        /// src/settings.rs) on validation users and print the best; held-out users
        /// are not read.
        #[arg(long)]
        tune: bool,
    },
}

fn part(text: &str) -> Result<Part, String> {
    Part::parse(text).map_err(|e| format!("{e:#}"))
}

fn base_url(text: &str) -> Result<BaseUrl, String> {
    BaseUrl::parse(text).map_err(|e| format!("{e:#}"))
}

/// A size in bytes written as a number and a unit: `512MB`, `1.5GB`, `800M`, `65536`
/// (KB, MB and GB are powers of 1024, as memory is counted).
fn byte_size(text: &str) -> Result<usize, String> {
    let t = text.trim().to_ascii_uppercase();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: f64 = match unit.trim() {
        "" | "B" => 1.0,
        "K" | "KB" | "KIB" => 1024.0,
        "M" | "MB" | "MIB" => 1024.0 * 1024.0,
        "G" | "GB" | "GIB" => 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("{text:?}: unknown unit {other:?}; write e.g. 512MB or 2GB")),
    };
    let value: f64 = number.parse().map_err(|_| format!("{text:?} is not a size; write e.g. 512MB or 2GB"))?;
    let bytes = value * scale;
    if !(bytes.is_finite() && bytes >= 1024.0 * 1024.0 && bytes <= usize::MAX as f64) {
        return Err(format!("{text:?}: the memory limit must be at least 1MB"));
    }
    Ok(bytes as usize)
}

/// DataFusion's own advice names its config keys; a marquee user sets `--memory-limit`.
fn explain_memory_limit(error: anyhow::Error, limit: Option<usize>) -> anyhow::Error {
    let exhausted = error.chain().any(|cause| cause.to_string().contains("Resources exhausted"));
    match limit {
        Some(bytes) if exhausted => error.context(format!(
            "the SQL engine needed more memory than --memory-limit allows ({} MB) for an operator that cannot spill: raise the limit",
            bytes >> 20
        )),
        _ => error,
    }
}

/// A share from 0 to 1, written as a decimal number.
fn share(text: &str) -> Result<f64, String> {
    let value: f64 = text.trim().parse().map_err(|_| format!("{text:?} is not a number"))?;
    if !(0.0..=1.0).contains(&value) {
        return Err(format!("{text} is not a share between 0 and 1 (for 2% write 0.02)"));
    }
    Ok(value)
}

/// The row accounting, one line per input file.
fn print_accounting(accounting: &marquee::stages::etl::Accounting) {
    for (source, a) in &accounting.inputs {
        eprintln!(
            "{source:<9} {:<24} read {:>8}  kept {:>8}  duplicates {:>4}  rejoined {:>2}  rejected {:>5}",
            a.file, a.records_read, a.kept, a.duplicates, a.rejoined, a.rejected
        );
        if !a.ignored.is_empty() {
            eprintln!("{source:<9} {} not read: {} takes precedence", a.ignored.join(", "), a.file);
        }
    }
}

fn print_etl_reused(sources: &[&str]) {
    if !sources.is_empty() {
        eprintln!("etl: {} reused: the same files, kept movies and program", sources.join(", "));
    }
}

fn print_recommend(r: &marquee::stages::recommend::RecommendStats) {
    eprintln!("recommend: {} movies, vocabulary {}, tf-idf {:.3} s, top-5 {:.3} s", r.movies, r.vocabulary, r.tfidf_s, r.top_k_s);
}

/// The end of a build's summary: why the cache was not trusted, the stage table with
/// --timings, and the JSON report with --report.
fn finish(
    distrusted: &Option<String>,
    timings: bool,
    watch: &Stopwatch,
    report: Option<PathBuf>,
    json: impl FnOnce() -> serde_json::Value,
) -> anyhow::Result<()> {
    if let Some(why) = distrusted {
        eprintln!("cache: {why}");
    }
    if timings {
        eprint!("{}", watch.table());
    }
    if let Some(path) = report {
        std::fs::write(path, serde_json::to_string_pretty(&json())? + "\n")?;
    }
    Ok(())
}

/// `marquee build --until STAGE`: the data stages up to STAGE, their results kept.
async fn build_until(
    opts: BuildOptions,
    until: Until,
    part: Option<Part>,
    timings: bool,
    report: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let mut watch = Stopwatch { log_lines: true, ..Default::default() };
    let summary = match part {
        Some(part) => pipeline::parts::build_part(&opts, until, part, &mut watch).await,
        None => pipeline::build_until(&opts, until, &mut watch).await,
    };
    let summary = summary.map_err(|e| explain_memory_limit(e, opts.memory_limit))?;
    print_accounting(&summary.accounting);
    print_etl_reused(&summary.etl_reused);
    if let Some(r) = &summary.recommend {
        print_recommend(r);
    }
    finish(&summary.cache_distrusted, timings, &watch, report, || {
        serde_json::json!({
            "stages": watch.stages,
            "kept": summary.kept,
            "etl_reused": summary.etl_reused,
            "cache_distrusted": summary.cache_distrusted,
            "recommend": summary.recommend,
            "tables": summary.accounting.tables,
        })
    })?;
    eprintln!("kept in {} for the next build of {}; {} not touched", summary.dir.display(), opts.data.display(), opts.out.display());
    Ok(ExitCode::SUCCESS)
}

async fn build(opts: BuildOptions, timings: bool, report: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let mut watch = Stopwatch { log_lines: true, ..Default::default() };
    let summary = pipeline::build(&opts, &mut watch).await.map_err(|e| explain_memory_limit(e, opts.memory_limit))?;
    print_accounting(&summary.accounting);
    print_etl_reused(&summary.etl_reused);
    print_recommend(&summary.recommend);
    let b = &summary.bundle;
    eprintln!(
        "bundle: {} files, {:.1} MB, largest shard {} ({:.1} KB), download {:.1} MB; {} of {} questions reused",
        b.files,
        b.bytes as f64 / 1e6,
        b.largest_shard,
        b.largest_shard_bytes as f64 / 1024.0,
        b.download_bytes as f64 / 1e6,
        b.questions_reused,
        marquee::stages::questions::QUESTIONS.len()
    );
    let site = &summary.site;
    eprintln!(
        "site: {} pages, {:.1} MB: {} rendered, {} reused, {} deleted; {} files written, {} made and found unchanged, {} reused",
        site.pages,
        site.bytes as f64 / 1e6,
        site.pages_rendered,
        site.pages_reused,
        summary.pages_deleted,
        site.files_written,
        site.files_linked,
        summary.files_reused
    );
    if summary.data_reused {
        eprintln!("data: inputs and program unchanged; load, etl, recommend, questions and the bundle reused");
    }
    finish(&summary.cache_distrusted, timings, &watch, report, || {
        serde_json::json!({
            "stages": watch.stages,
            "data_reused": summary.data_reused,
            "etl_reused": summary.etl_reused,
            "cache_distrusted": summary.cache_distrusted,
            "pages": {"total": site.pages, "rendered": site.pages_rendered, "reused": site.pages_reused, "deleted": summary.pages_deleted},
            "files": {"written": site.files_written, "linked": site.files_linked, "reused": summary.files_reused},
            "recommend": summary.recommend,
            "bundle": summary.bundle,
            "site": summary.site,
            "tables": summary.accounting.tables,
        })
    })?;
    eprintln!("published {}", opts.out.display());
    Ok(ExitCode::SUCCESS)
}

/// `text` with every control character (C0, DEL, C1: ESC, CSI, BEL...) escaped, so that
/// what the bundle holds cannot move the cursor, recolour or retitle the terminal.
fn terminal_safe(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            safe.extend(c.escape_default());
        } else {
            safe.push(c);
        }
    }
    safe
}

/// JSON text for the terminal: serde_json escapes C0 but writes DEL and C1 raw. They can
/// only sit inside strings (JSON's syntax is ASCII), where `\u00XX` means the same.
fn json_for_terminal(value: &serde_json::Value) -> anyhow::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    Ok(text.chars().fold(String::with_capacity(text.len()), |mut out, c| {
        if c.is_control() && c >= '\u{7f}' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
        out
    }))
}

fn ask(out: PathBuf, question: String, input: String, json: bool) -> anyhow::Result<ExitCode> {
    // Errors quote the bundle (keys, bad values): escaped like the answers.
    let lookup = bundle::ask(&out, &question, &input).map_err(|e| anyhow::anyhow!(terminal_safe(&format!("{e:#}"))))?;
    match lookup {
        Lookup::Found { answers, .. } => {
            if json {
                let doc = serde_json::json!({"question": question, "input": input, "answers": answers});
                println!("{}", json_for_terminal(&doc)?);
            } else {
                for a in &answers {
                    println!("{}", terminal_safe(a["sentence"].as_str().unwrap_or_default()));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Lookup::NotFound { key, suggestions } => {
            if json {
                let doc = serde_json::json!({"question": question, "input": input, "answers": [], "did_you_mean": suggestions});
                println!("{}", json_for_terminal(&doc)?);
            }
            // {:?} escapes control characters already.
            eprintln!("No hay respuesta para {input:?} (clave {key:?}) en {question}.");
            if !suggestions.is_empty() {
                let shown: Vec<String> = suggestions.iter().map(|s| terminal_safe(s)).collect();
                eprintln!("¿Quisiste decir: {}?", shown.join(" | "));
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn main() -> ExitCode {
    return_freed_memory_promptly();
    let cli = Cli::parse();
    #[cfg(feature = "ballista")]
    cluster::log_to_stderr();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Build {
                data,
                out,
                max_reject_share,
                min_movie_share,
                allow_shrink,
                max_page_kb,
                browse_page_size,
                person_range_credits,
                movie_range_movies,
                timings,
                report,
                wait_for_cleanup,
                templates,
                base_url,
                memory_limit,
                until,
                part,
                parts,
                engine,
                scratch,
            } => {
                let cleanup = if wait_for_cleanup { Cleanup::Now } else { Cleanup::Background };
                let page_ranges = PageRanges { person_credits: person_range_credits, movies: movie_range_movies };
                let site = SiteOptions {
                    max_page_bytes: max_page_kb.saturating_mul(1024),
                    browse_page_movies: browse_page_size,
                    base_url,
                    page_ranges,
                };
                let engine = Engine::parse(&engine, scratch)?;
                let opts = BuildOptions {
                    data,
                    out,
                    max_reject_share,
                    min_movie_share,
                    allow_shrink,
                    site,
                    cleanup,
                    templates,
                    memory_limit,
                    parts,
                    engine,
                };
                match until {
                    Some(stage) => build_until(opts, stage, part, timings, report).await,
                    None => build(opts, timings, report).await,
                }
            }
            #[cfg(feature = "ballista")]
            Command::Scheduler { bind, external_host, executor_timeout } => {
                let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| anyhow::anyhow!("listening on {bind}: {e}"))?;
                eprintln!("marquee scheduler listening on {bind}");
                let opts = cluster::SchedulerOptions { external_host, executor_timeout_s: executor_timeout };
                cluster::run_scheduler(listener, opts).await.map(|()| ExitCode::SUCCESS)
            }
            #[cfg(feature = "ballista")]
            Command::Executor { scheduler, bind, external_host, concurrency, work_dir } => {
                eprintln!("marquee executor on {bind}, scheduler {scheduler}");
                let opts = cluster::ExecutorOptions { scheduler, bind, external_host, concurrency, work_dir };
                cluster::run_executor(opts).await.map(|()| ExitCode::SUCCESS)
            }
            Command::Purge { dir } => marquee::stages::publish::purge(&dir).map(|()| ExitCode::SUCCESS),
            Command::Ask { question, input, out, json } => ask(out, question, input, json),
            Command::Scale { data, out, factor, ratings_rows } => {
                commands::scale::scale(&data, &out, factor, ratings_rows).map(|()| ExitCode::SUCCESS)
            }
            Command::Sql { data, query } => commands::query::run(&data, &query).await.map(|()| ExitCode::SUCCESS),
            Command::Eval { data, json, tune: false } => commands::eval::run(&data, json.as_deref()).await.map(|()| ExitCode::SUCCESS),
            Command::Eval { data, json, tune: true } => commands::eval::tune(&data, json.as_deref()).await.map(|()| ExitCode::SUCCESS),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("marquee: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" {
        fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    }

    #[test]
    fn sizes_have_units_in_powers_of_1024() {
        assert_eq!(byte_size("512MB"), Ok(512 << 20));
        assert_eq!(byte_size("512mb"), Ok(512 << 20));
        assert_eq!(byte_size("1.5GB"), Ok(3 << 29));
        assert_eq!(byte_size("2G"), Ok(2 << 30));
        assert_eq!(byte_size("2097152"), Ok(2 << 20));
        for bad in ["", "MB", "12 parsecs", "-5MB", "0.5KB", "NaNGB", "1e3MB", "1.2.3MB"] {
            assert!(byte_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shares_are_finite_numbers_from_zero_to_one() {
        assert_eq!(share("0.02"), Ok(0.02));
        assert_eq!(share("0"), Ok(0.0));
        assert_eq!(share("1"), Ok(1.0));
        for bad in ["NaN", "nan", "inf", "-inf", "5", "-0.1", "1.0000001", "", "2%"] {
            assert!(share(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(terminal_safe("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(terminal_safe("tab\there\nnl\u{7f}\u{9b}2J\u{0}"), "tab\\there\\nnl\\u{7f}\\u{9b}2J\\u{0}");
        assert_eq!(terminal_safe("Miércoles 日本語 \u{a0}ok"), "Miércoles 日本語 \u{a0}ok");
    }

    #[test]
    fn json_output_escapes_del_and_c1_and_stays_the_same_json() {
        let doc = serde_json::json!({"s": "a\u{1b}b\u{7f}c\u{9b}d\u{85}é"});
        let text = json_for_terminal(&doc).unwrap();
        assert!(text.chars().filter(|c| c.is_control()).all(|c| c == '\n'), "{text:?}");
        assert!(text.contains("\\u001b") && text.contains("\\u007f") && text.contains("\\u009b") && text.contains("\\u0085"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), doc);
    }

    #[test]
    fn purge_delay_option_is_the_one_we_set() {
        // v3's default purge delay is 1000 ms: reading it back proves the option index.
        // (Run without MIMALLOC_PURGE_DELAY in the environment.)
        assert_eq!(unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }, 1000);
        return_freed_memory_promptly();
        assert_eq!(unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }, 0);
    }
}
