//! Reusing the data stages of the previous build. load, etl, recommend, questions and
//! bundle depend only on the input files and the program, so when both are unchanged
//! their results are taken from the previous output instead of being made again: the
//! clean tables and recommendations from its `data/*.parquet`, the bundle and the
//! published tables linked as they are, and the few in-memory results (row accounting,
//! person-page answers, stage figures) from `data.json` in the cache directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use datafusion::prelude::SessionContext;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::foundation::engine::{self, scripts};
use crate::foundation::fingerprint::{self, Fingerprint, Fingerprinter};
use crate::foundation::output::write_atomically;
use crate::foundation::reuse::FileLog;
use crate::foundation::tables;
use crate::stages::bundle::BundleStats;
use crate::stages::etl::{Accounting, Reject};
use crate::stages::load::{Found, Source, file_name};
use crate::stages::questions::{self, PeopleAnswers};
use crate::stages::recommend::RecommendStats;

const STATE_NAME: &str = "data.json";
/// The fingerprint alone, read before the (tens of MB) state: a rebuild of new data
/// need not parse it. The state repeats it, and only a state that agrees is used.
const KEY_NAME: &str = "data.key";

/// What the data stages were made from: the program, every input file's name and
/// bytes, and the names of the files ignored for a preferred one (they are in the
/// manifest, and adding or removing one, such as ratings.csv over ratings_small.csv,
/// changes which file is read).
pub fn data_fingerprint(program: Fingerprint, inputs: &[(&'static Source, Found)]) -> Result<Fingerprint> {
    let files: Vec<(String, Fingerprint)> = inputs
        .par_iter()
        .map(|(source, found)| {
            let print = fingerprint::file_fingerprint(&found.path).with_context(|| format!("reading {}", found.path.display()))?;
            Ok((format!("{}:{}", source.table, file_name(&found.path)), print))
        })
        .collect::<Result<_>>()?;
    let mut print = Fingerprinter::new("data stages");
    print.add_fingerprint(program);
    for ((name, file), (_, found)) in files.iter().zip(inputs) {
        print.add_str(name).add_fingerprint(*file);
        for ignored in &found.ignored {
            print.add_str("ignored").add_str(&file_name(ignored));
        }
    }
    Ok(print.finish())
}

/// What the bundle's files and the published tables are recorded as made from.
pub fn bundle_fingerprint(data: Fingerprint) -> Fingerprint {
    Fingerprinter::new("bundle").add_fingerprint(data).finish()
}

pub fn tables_fingerprint(data: Fingerprint) -> Fingerprint {
    Fingerprinter::new("published tables").add_fingerprint(data).finish()
}

/// The data stages' results that live in memory, kept in the cache directory.
#[derive(Serialize, Deserialize)]
pub struct DataState {
    pub data: String,
    pub accounting: Accounting,
    pub rejects: Vec<Reject>,
    pub people_answers: PeopleAnswers,
    pub recommend: RecommendStats,
    pub bundle: BundleStats,
}

impl DataState {
    /// Writes the state atomically once the output it belongs to is published.
    pub fn write(&self, cache: &Path) -> Result<()> {
        std::fs::create_dir_all(cache)?;
        write_atomically(&cache.join(STATE_NAME), |w| Ok(serde_json::to_writer(w, self)?))?;
        write_atomically(&cache.join(KEY_NAME), |w| Ok(w.write_all(self.data.as_bytes())?))
    }
}

/// A previous output's file to link: its path in the output, the file, and what it was
/// made from.
pub type ReusedFile = (String, PathBuf, Fingerprint);

/// Why the data stages run.
pub enum NotReused {
    /// No previous results, or made from other inputs or another program.
    Nothing,
    /// Previous results that cannot be trusted (damaged, or their files changed since).
    Distrusted(String),
}

/// The previous build's data results, ready for the site.
pub struct ReusedData {
    pub ctx: SessionContext,
    pub accounting: Accounting,
    pub people_answers: PeopleAnswers,
    pub recommend: RecommendStats,
    pub bundle: BundleStats,
    /// The bundle's and the published tables' files: (path in the output, the previous
    /// file, what it was made from).
    pub bundle_files: Vec<ReusedFile>,
    pub table_files: Vec<ReusedFile>,
}

/// The previous data results when they were made from `data` and every file of them is
/// still as published; otherwise why not (nothing is reused then).
pub async fn reuse_data(
    cache: &Path,
    data: Fingerprint,
    log: &FileLog,
    previous: &Path,
    memory_limit: Option<usize>,
) -> Result<ReusedData, NotReused> {
    if std::fs::read_to_string(cache.join(KEY_NAME)).ok().as_deref() != Some(data.to_string().as_str()) {
        return Err(NotReused::Nothing);
    }
    let state = read_state(cache)?;
    if state.data != data.to_string() {
        return Err(NotReused::Distrusted(format!("{}: made from other data than {KEY_NAME} says", cache.join(STATE_NAME).display())));
    }
    let distrust = NotReused::Distrusted;
    let bundle_files = reusable_bundle_files(log, previous, bundle_fingerprint(data)).map_err(distrust)?;
    let table_files = reusable_files(log, previous, tables_fingerprint(data)).map_err(distrust)?;
    if bundle_files.is_empty() || table_files.is_empty() {
        return Err(distrust("the previous output's bundle or tables are not on record; data stages run again".into()));
    }
    let ctx =
        tables_from(previous, &table_files, memory_limit).await.map_err(|e| distrust(format!("reading the previous tables: {e:#}")))?;
    let mut accounting = state.accounting;
    accounting.rejects = state.rejects;
    Ok(ReusedData {
        ctx,
        accounting,
        people_answers: state.people_answers,
        recommend: state.recommend,
        bundle: state.bundle,
        bundle_files,
        table_files,
    })
}

fn read_state(cache: &Path) -> Result<DataState, NotReused> {
    let path = cache.join(STATE_NAME);
    let Ok(file) = std::fs::File::open(&path) else { return Err(NotReused::Nothing) };
    serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| NotReused::Distrusted(format!("{}: {e}; data stages run again", path.display())))
}

/// Every file the log records as made from `made_from`, each checked to be still the
/// published file; an error if any is not.
fn reusable_files(log: &FileLog, previous: &Path, made_from: Fingerprint) -> Result<Vec<ReusedFile>, String> {
    reusable_files_where(log, previous, |_, from| from == made_from)
}

/// Every file of the previous bundle, each checked to be still the published file. Its
/// index and download are made from the data (`made_from`); each question's files from
/// that question's answers (see `bundle::parts`), so they are found by their place.
/// The index made from this data vouches that the log's api/ files are its bundle's.
fn reusable_bundle_files(log: &FileLog, previous: &Path, made_from: Fingerprint) -> Result<Vec<ReusedFile>, String> {
    if log.files.get("api/index.json").is_none_or(|r| r.made_from != made_from) {
        return Ok(Vec::new());
    }
    reusable_files_where(log, previous, |rel, _| rel.starts_with("api/"))
}

/// Every file of the log that `wanted` picks, by path and what it was made from, each
/// checked to be still the published file; an error if any is not.
fn reusable_files_where(log: &FileLog, previous: &Path, wanted: impl Fn(&str, Fingerprint) -> bool) -> Result<Vec<ReusedFile>, String> {
    let mut files: Vec<ReusedFile> = Vec::new();
    for (rel, record) in log.files.iter().filter(|(rel, r)| wanted(rel, r.made_from)) {
        let (old, _) = log
            .reusable(previous, rel, record.made_from)
            .ok_or_else(|| format!("{rel} changed since it was published; data stages run again"))?;
        files.push((rel.clone(), old, record.made_from));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// A session with the previous clean tables and recommendations, as the questions
/// stage leaves it for the site: each table its published Parquet file (streamed, one
/// partition in file order, never held whole), deterministic plans, and the shared
/// query tables (person names and credits) made again from them.
async fn tables_from(previous: &Path, table_files: &[ReusedFile], memory_limit: Option<usize>) -> Result<SessionContext> {
    let ctx = engine::new_context_within(memory_limit);
    for table in tables::CLEAN.iter().chain(&[tables::RECOMMENDATIONS]) {
        let rel = format!("data/{table}.parquet");
        anyhow::ensure!(table_files.iter().any(|(r, _, _)| *r == rel), "{rel} is not on record");
        engine::register_parquet_file(&ctx, table, &previous.join(&rel)).await?;
    }
    engine::switch_to_deterministic_plans(&ctx);
    scripts::run_scripts(&ctx, &[questions::SHARED]).await?;
    Ok(ctx)
}
