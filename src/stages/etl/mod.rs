//! ETL stage: registers the raw tables, runs every source's sql/etl scripts (each
//! after the scripts whose tables it reads), and reads the row accounting back out
//! of SQL.

use std::sync::Arc;

use anyhow::Result;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use crate::foundation::engine::{self, scripts};
use crate::stages::load::{self, LoadedFile, SOURCES, Source};

mod accounting;
pub mod reuse;
mod spilled;

pub use accounting::{Accounting, FileAccount, Outcome, Reject, RuleRemoval, account};
pub use reuse::SourceReuse;

/// Deals a file's batches round-robin into one partition per core, so the parsing UDFs
/// run on every core (the SQL orders by line number wherever order matters).
fn spread(batches: Vec<datafusion::arrow::array::RecordBatch>) -> Vec<Vec<datafusion::arrow::array::RecordBatch>> {
    let partitions = engine::cores();
    let mut out = vec![Vec::new(); partitions];
    for (i, batch) in batches.into_iter().enumerate() {
        out[i % partitions].push(batch);
    }
    out
}

/// Registers `raw_<table>` for every source, and `raw_<table>_numbers` for a source
/// read typed; a missing optional file becomes empty tables. The batches move into the
/// tables, so a script that drops a raw table frees its text.
pub fn register_raw(ctx: &SessionContext, loaded: &mut [LoadedFile]) -> Result<()> {
    for source in SOURCES {
        register_source_raw(ctx, source, loaded.iter_mut().find(|f| f.source.table == source.table))?;
    }
    Ok(())
}

/// Registers one source's raw tables (empty without a file), replacing any there.
fn register_source_raw(ctx: &SessionContext, source: &Source, file: Option<&mut LoadedFile>) -> Result<()> {
    let (text, spilled, numbers) = match file {
        Some(file) => (std::mem::take(&mut file.batches), file.spilled.take(), std::mem::take(&mut file.numbers)),
        None => (Vec::new(), None, Vec::new()),
    };
    let raw = format!("raw_{}", source.table);
    ctx.deregister_table(raw.as_str())?;
    let table: Arc<dyn datafusion::catalog::TableProvider> = match spilled {
        // Read from the file on each scan; dropped (and the file with it) with the table.
        Some(spilled) => Arc::new(spilled::SpilledTable::new(spilled, engine::cores())),
        None => Arc::new(MemTable::try_new(load::raw_schema(source), spread(text))?),
    };
    ctx.register_table(raw, table)?;
    if !source.numbers.is_empty() {
        let raw = format!("raw_{}_numbers", source.table);
        ctx.deregister_table(raw.as_str())?;
        ctx.register_table(raw, Arc::new(MemTable::try_new(load::numbers_schema(source), spread(numbers))?))?;
    }
    Ok(())
}

/// Runs the ETL scripts of every source.
pub async fn run(ctx: &SessionContext, loaded: &mut [LoadedFile]) -> Result<()> {
    register_raw(ctx, loaded)?;
    let etl: Vec<scripts::Script> = SOURCES.iter().flat_map(|s| s.etl.iter().copied()).collect();
    scripts::run_scripts(ctx, &etl).await
}

/// [`run`], taking the results of each source `reuse` finds kept for the same inputs
/// instead of running its scripts (a file `reuse` held back is loaded, onto `loaded`,
/// only if they are not), then keeping the results of the sources it made. Each
/// source is decided when its first script comes up, after what it reads is made.
pub async fn run_reusing(ctx: &SessionContext, loaded: &mut Vec<LoadedFile>, reuse: &mut SourceReuse) -> Result<()> {
    register_raw(ctx, loaded)?;
    let etl: Vec<scripts::Script> = SOURCES.iter().flat_map(|s| s.etl.iter().copied()).collect();
    let mut decided: Vec<(&str, bool)> = Vec::new();
    for script in scripts::in_dependency_order(ctx, &etl)? {
        let source = SOURCES.iter().find(|s| s.etl.contains(&script)).expect("every script is a source's");
        let reused = match decided.iter().find(|(table, _)| *table == source.table) {
            Some(&(_, reused)) => reused,
            None => {
                let reused = reuse.before_scripts(ctx, source, loaded).await?;
                decided.push((source.table, reused));
                reused
            }
        };
        if !reused {
            scripts::run_scripts(ctx, std::slice::from_ref(&script)).await?;
        }
    }
    reuse.keep_made(ctx, loaded).await;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_etl_script_belongs_to_one_source() {
        let mut claimed: Vec<&str> = SOURCES.iter().flat_map(|s| s.etl.iter().map(|e| e.path)).collect();
        claimed.push(accounting::ACCOUNTING.path);
        claimed.sort();
        let before = claimed.len();
        claimed.dedup();
        assert_eq!(claimed.len(), before, "a script claimed twice");
        assert_eq!(claimed, scripts::files_on_disk("etl"), "sql/etl: each file is one source's (src/stages/load/sources.rs)");
    }
}
