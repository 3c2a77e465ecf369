//! ETL stage: registers the raw tables and the UDFs, runs sql/etl/*.sql, and reads the
//! row accounting back out of SQL.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Result, bail};
use datafusion::arrow::array::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use serde::Serialize;

use crate::load::{self, LoadedFile, SOURCES};
use crate::sql;

/// The clean tables, in the order they are documented and exported.
pub const CLEAN_TABLES: &[&str] = &[
    "movies",
    "movie_genres",
    "movie_companies",
    "movie_countries",
    "movie_languages",
    "collections",
    "cast",
    "crew",
    "keywords",
    "links",
    "ratings",
];

/// A session set up the way every marquee stage expects.
pub fn new_context() -> SessionContext {
    let config = SessionConfig::new()
        .with_target_partitions(cores())
        // Plain Utf8 everywhere keeps UDF inputs and Parquet output uniform.
        .set_bool("datafusion.sql_parser.map_string_types_to_utf8view", false)
        .set_bool("datafusion.execution.parquet.schema_force_view_types", false);
    let ctx = SessionContext::new_with_config(config);
    crate::udf::register_all(&ctx);
    ctx
}

/// How many partitions parallel plans use: one per core.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Deals a file's batches round-robin into one partition per core, so the parsing UDFs
/// run on every core (the SQL orders by line number wherever order matters).
fn spread(batches: Vec<datafusion::arrow::array::RecordBatch>) -> Vec<Vec<datafusion::arrow::array::RecordBatch>> {
    let partitions = cores();
    let mut out = vec![Vec::new(); partitions];
    for (i, batch) in batches.into_iter().enumerate() {
        out[i % partitions].push(batch);
    }
    out
}

/// Registers `raw_<table>` for every source; a missing optional file becomes an empty table.
/// The batches move into the tables, so a script that drops a raw table frees its text.
pub fn register_raw(ctx: &SessionContext, loaded: &mut [LoadedFile]) -> Result<()> {
    for source in SOURCES {
        let table = match loaded.iter_mut().find(|f| f.source.table == source.table) {
            Some(file) => MemTable::try_new(file.schema.clone(), spread(std::mem::take(&mut file.batches)))?,
            None => MemTable::try_new(load::raw_schema(source), vec![vec![]])?,
        };
        ctx.register_table(format!("raw_{}", source.table), Arc::new(table))?;
    }
    Ok(())
}

/// Runs the ETL scripts.
pub async fn run(ctx: &SessionContext, loaded: &mut [LoadedFile]) -> Result<()> {
    register_raw(ctx, loaded)?;
    sql::run_scripts(ctx, sql::ETL, "etl").await
}

/// Drops the raw and per-record working tables once the accounting has been read,
/// so the later stages run with only the clean tables in memory.
pub fn release_intermediate_tables(ctx: &SessionContext) -> Result<()> {
    let names = ctx.catalog("datafusion").and_then(|c| c.schema("public")).map(|s| s.table_names()).unwrap_or_default();
    for name in names {
        let working = name.starts_with("raw_") || ["_rows", "_checks", "_outcomes"].iter().any(|s| name.ends_with(s));
        if working {
            ctx.deregister_table(name.as_str())?;
        }
    }
    Ok(())
}

/// After the ETL every clean table is one sorted partition; running the later stages
/// on one partition keeps floating-point sums in a fixed order, so the same input
/// always gives the same bytes. (Those stages aggregate small tables; the parallel
/// work, parsing and top-k, happens elsewhere.)
pub fn switch_to_deterministic_plans(ctx: &SessionContext) {
    set_target_partitions(ctx, 1);
}

pub fn set_target_partitions(ctx: &SessionContext, partitions: usize) {
    let state = ctx.state_ref();
    let mut state = state.write();
    state.config_mut().options_mut().execution.target_partitions = partitions.max(1);
}

/// What happened to one input file's records.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct FileAccount {
    pub file: String,
    pub records_read: u64,
    pub kept: u64,
    pub duplicates: u64,
    /// Records re-joined to the record before them (a record split over two).
    pub rejoined: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
}

impl FileAccount {
    pub fn adds_up(&self) -> bool {
        self.kept + self.duplicates + self.rejoined + self.rejected == self.records_read
            && self.rejected_by_reason.values().sum::<u64>() == self.rejected
    }

    /// Rejections that mean the input is damaged, as opposed to rows the ETL rules
    /// remove on purpose (no release date, no movie to attach to).
    pub fn damaged(&self) -> u64 {
        self.rejected_by_reason.iter().filter(|(reason, _)| !RULE_REMOVALS.contains(&reason.as_str())).map(|(_, n)| n).sum()
    }
}

/// Reasons that are the assignment's cleaning rules at work (or, for links, MovieLens
/// titles TMDB does not have), not broken input.
pub const RULE_REMOVALS: &[&str] = &["missing release_date", "no kept movie with this id", "missing tmdbId"];

/// One rejected record, for the rejects report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reject {
    pub file: String,
    pub line: i64,
    pub key: String,
    pub reason: String,
    pub detail: String,
}

/// The row accounting of a finished ETL.
#[derive(Debug, Clone, Serialize)]
pub struct Accounting {
    pub inputs: BTreeMap<String, FileAccount>,
    pub tables: BTreeMap<String, u64>,
    #[serde(skip)]
    pub rejects: Vec<Reject>,
}

async fn collect(ctx: &SessionContext, table: &str) -> Result<Vec<RecordBatch>> {
    Ok(ctx.table(table).await?.collect().await?)
}

/// One accounting cell as text ("" for null).
fn text(batch: &RecordBatch, name: &str, row: usize) -> String {
    match crate::queries::json_value(batch.column_by_name(name).expect("accounting column").as_ref(), row) {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One accounting cell as a number (0 for null).
fn number(batch: &RecordBatch, name: &str, row: usize) -> i64 {
    crate::queries::json_value(batch.column_by_name(name).expect("accounting column").as_ref(), row).as_i64().unwrap_or(0)
}

/// Reads the accounting views and checks them against the loader's own record counts.
pub async fn account(ctx: &SessionContext, loaded: &[LoadedFile]) -> Result<Accounting> {
    let file_name = |source: &str| {
        loaded
            .iter()
            .find(|f| f.source.table == source)
            .map(|f| f.path.file_name().unwrap_or_default().to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut inputs: BTreeMap<String, FileAccount> = loaded
        .iter()
        .map(|f| {
            let account = FileAccount { file: file_name(f.source.table), records_read: f.records, ..Default::default() };
            (f.source.table.to_string(), account)
        })
        .collect();
    for batch in collect(ctx, "outcome_counts").await? {
        for row in 0..batch.num_rows() {
            let source = text(&batch, "source", row);
            let Some(account) = inputs.get_mut(&source) else { bail!("outcomes for {source}, which was not loaded") };
            let rows = number(&batch, "rows", row) as u64;
            let records = number(&batch, "records", row) as u64;
            match text(&batch, "outcome", row).as_str() {
                "kept" => account.kept += rows,
                "duplicate" => account.duplicates += rows,
                "rejected" => {
                    account.rejected += rows;
                    *account.rejected_by_reason.entry(text(&batch, "reason", row)).or_default() += rows;
                }
                other => bail!("unknown outcome {other}"),
            }
            account.rejoined += records - rows;
        }
    }
    for (source, account) in &inputs {
        if !account.adds_up() {
            bail!("row accounting for {source} ({}) does not add up: {account:?}", account.file);
        }
    }
    let mut tables = BTreeMap::new();
    for batch in collect(ctx, "table_counts").await? {
        for row in 0..batch.num_rows() {
            tables.insert(text(&batch, "table", row), number(&batch, "rows", row) as u64);
        }
    }
    let mut rejects = Vec::new();
    for batch in collect(ctx, "rejects").await? {
        for row in 0..batch.num_rows() {
            rejects.push(Reject {
                file: file_name(&text(&batch, "source", row)),
                line: number(&batch, "line", row),
                key: text(&batch, "row_key", row),
                reason: text(&batch, "reason", row),
                detail: text(&batch, "detail", row),
            });
        }
    }
    Ok(Accounting { inputs, tables, rejects })
}
