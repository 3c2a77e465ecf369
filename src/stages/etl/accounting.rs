//! The row accounting: every record of every input ends in one outcome, and the
//! counts must add up to what the loader read.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use datafusion::arrow::array::RecordBatch;
use datafusion::functions::core::expr_fn::get_field;
use datafusion::prelude::{DataFrame, SessionContext, col, lit};
use serde::{Deserialize, Serialize};

use crate::foundation::cells::json_value;
use crate::foundation::engine::scripts::{self, Script};
use crate::foundation::tables;
use crate::sql;
use crate::stages::load::{LoadedFile, SOURCES};

/// The views over `row_outcomes`: outcome counts and rejected records.
pub const ACCOUNTING: Script = sql!("etl/accounting.sql");

/// What happened to one input file's records.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct FileAccount {
    pub file: String,
    pub records_read: u64,
    pub kept: u64,
    pub duplicates: u64,
    /// Records re-joined to the record before them (a record split over two).
    pub rejoined: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Files of the same input that were present but not read, because this one
    /// ranks first (`ratings.csv` over `ratings_small.csv`); none of their records
    /// are counted. Omitted from the manifest when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
}

impl FileAccount {
    pub fn adds_up(&self) -> bool {
        self.kept + self.duplicates + self.rejoined + self.rejected == self.records_read
            && self.rejected_by_reason.values().sum::<u64>() == self.rejected
    }

    /// Rejections that mean the input is damaged, as opposed to rows the ETL rules
    /// remove on purpose (no release date, no movie to attach to).
    pub fn damaged(&self) -> u64 {
        self.rejected_by_reason.iter().filter(|(reason, _)| !RuleRemoval::is_rule(reason)).map(|(_, n)| n).sum()
    }
}

/// What happens to a record, as sql/etl writes it in each source's outcome table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Kept,
    Duplicate,
    Rejected,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Kept, Outcome::Duplicate, Outcome::Rejected];

    /// The text the SQL writes.
    pub fn as_sql(self) -> &'static str {
        match self {
            Outcome::Kept => "kept",
            Outcome::Duplicate => "duplicate",
            Outcome::Rejected => "rejected",
        }
    }

    pub fn from_sql(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_sql() == text)
    }
}

/// Rejections that are the assignment's cleaning rules at work (or, for links,
/// MovieLens titles TMDB does not have), not broken input; every other reason means
/// a damaged record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleRemoval {
    MissingReleaseDate,
    NoKeptMovie,
    MissingTmdbId,
}

impl RuleRemoval {
    pub const ALL: [RuleRemoval; 3] = [RuleRemoval::MissingReleaseDate, RuleRemoval::NoKeptMovie, RuleRemoval::MissingTmdbId];

    /// The reason the SQL writes.
    pub fn as_sql(self) -> &'static str {
        match self {
            RuleRemoval::MissingReleaseDate => "missing release_date",
            RuleRemoval::NoKeptMovie => "no kept movie with this id",
            RuleRemoval::MissingTmdbId => "missing tmdbId",
        }
    }

    /// Whether a rejection reason is one of the rules rather than damage.
    pub fn is_rule(reason: &str) -> bool {
        RuleRemoval::ALL.iter().any(|r| r.as_sql() == reason)
    }
}

/// One rejected record, for the rejects report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Reject {
    pub file: String,
    pub line: i64,
    pub key: String,
    pub reason: String,
    pub detail: String,
}

/// The row accounting of a finished ETL.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    match json_value(batch.column_by_name(name).expect("accounting column").as_ref(), row) {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One accounting cell as a number (0 for null).
fn number(batch: &RecordBatch, name: &str, row: usize) -> i64 {
    json_value(batch.column_by_name(name).expect("accounting column").as_ref(), row).as_i64().unwrap_or(0)
}

/// Unions every source's outcome table into `row_outcomes`, in the accounting's own
/// columns: source, line, records, row_key, outcome, reason, detail, rows (how many
/// records of that outcome the row stands for: 1 unless the table says).
async fn register_row_outcomes(ctx: &SessionContext) -> Result<()> {
    let mut union: Option<DataFrame> = None;
    for source in SOURCES {
        let outcomes =
            ctx.table(source.outcomes).await.with_context(|| format!("the {} ETL must create {}", source.table, source.outcomes))?;
        let counted = if outcomes.schema().has_column_with_unqualified_name("rows") { col("rows") } else { lit(1i64).alias("rows") };
        let rows = outcomes.select(vec![
            lit(source.table).alias("source"),
            col("line"),
            col("records"),
            col("id_text").alias("row_key"),
            col("outcome"),
            get_field(col("rejection"), "reason").alias("reason"),
            get_field(col("rejection"), "detail").alias("detail"),
            counted,
        ])?;
        union = Some(match union {
            None => rows,
            Some(before) => before.union(rows)?,
        });
    }
    let union = union.context("no sources")?;
    ctx.register_table(tables::ROW_OUTCOMES, union.into_view())?;
    Ok(())
}

/// Reads the accounting views and checks them against the loader's own record counts.
pub async fn account(ctx: &SessionContext, loaded: &[LoadedFile]) -> Result<Accounting> {
    register_row_outcomes(ctx).await?;
    scripts::run_scripts(ctx, &[ACCOUNTING]).await?;
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
            let account = FileAccount {
                file: file_name(f.source.table),
                records_read: f.records,
                ignored: f.ignored.iter().map(|p| crate::stages::load::file_name(p)).collect(),
                ..Default::default()
            };
            (f.source.table.to_string(), account)
        })
        .collect();
    for batch in collect(ctx, tables::OUTCOME_COUNTS).await? {
        for row in 0..batch.num_rows() {
            let source = text(&batch, "source", row);
            let Some(account) = inputs.get_mut(&source) else { bail!("outcomes for {source}, which was not loaded") };
            let rows = number(&batch, "rows", row) as u64;
            let records = number(&batch, "records", row) as u64;
            let outcome = text(&batch, "outcome", row);
            match Outcome::from_sql(&outcome) {
                Some(Outcome::Kept) => account.kept += rows,
                Some(Outcome::Duplicate) => account.duplicates += rows,
                Some(Outcome::Rejected) => {
                    account.rejected += rows;
                    *account.rejected_by_reason.entry(text(&batch, "reason", row)).or_default() += rows;
                }
                None => bail!("unknown outcome {outcome} for {source}"),
            }
            account.rejoined += records - rows;
        }
    }
    for (source, account) in &inputs {
        if !account.adds_up() {
            bail!("row accounting for {source} ({}) does not add up: {account:?}", account.file);
        }
    }
    let mut table_rows = BTreeMap::new();
    for table in tables::CLEAN {
        table_rows.insert(table.to_string(), ctx.table(*table).await?.count().await? as u64);
    }
    let mut rejects = Vec::new();
    for batch in collect(ctx, tables::REJECTS).await? {
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
    Ok(Accounting { inputs, tables: table_rows, rejects })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_and_rule_removals_are_the_strings_the_sql_writes() {
        let etl: String = SOURCES.iter().flat_map(|s| s.etl.iter().map(|e| e.text)).collect();
        for outcome in Outcome::ALL {
            assert!(etl.contains(&format!("'{}'", outcome.as_sql())), "no SQL writes outcome {:?}", outcome.as_sql());
        }
        for rule in RuleRemoval::ALL {
            assert!(etl.contains(&format!("'reason', '{}'", rule.as_sql())), "no SQL rejects for {:?}", rule.as_sql());
        }
        assert_eq!(Outcome::from_sql("kept"), Some(Outcome::Kept));
        assert_eq!(Outcome::from_sql("Kept"), None);
    }
}
