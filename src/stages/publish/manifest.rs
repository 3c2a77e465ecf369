//! The files beside the site: the clean tables as Parquet, rejects.csv and
//! manifest.json, the build's row accounting.

use std::path::Path;

use anyhow::{Context, Result};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::SessionContext;
use serde::Serialize;

use crate::foundation::output::safe_join;
use crate::foundation::published::GENERATOR;
use crate::foundation::tables;
use crate::stages::etl::{Accounting, FileAccount};

/// What `output/manifest.json` holds. No timestamps: same input, same bytes.
#[derive(Debug, Serialize)]
pub struct Manifest<'a> {
    pub generator: &'static str,
    pub inputs: &'a std::collections::BTreeMap<String, FileAccount>,
    pub tables: &'a std::collections::BTreeMap<String, u64>,
    pub rejects_file: &'static str,
    pub table_files: Vec<String>,
}

/// Writes `data/<table>.parquet` for every clean table and the recommendations, and
/// `data/<table>.csv` for every clean table, then
/// rejects.csv and manifest.json; returns their paths under `dir`. The clean tables'
/// Parquet files were written right after the ETL into `clean_parquet` (the session
/// reads them from there): they are linked, not written again.
pub async fn write_tables_and_manifest(
    ctx: &SessionContext,
    accounting: &Accounting,
    dir: &Path,
    clean_parquet: &Path,
) -> Result<Vec<String>> {
    let data_dir = dir.join("data");
    std::fs::create_dir_all(&data_dir)?;
    let mut table_files = Vec::new();
    for table in tables::CLEAN.iter().chain(&[tables::RECOMMENDATIONS]) {
        let name = format!("{table}.parquet");
        let path = safe_join(&data_dir, &name)?;
        if tables::CLEAN.contains(table) {
            link_or_copy(&clean_parquet.join(&name), &path)?;
            table_files.push(format!("data/{name}"));
            table_files.push(write_csv(ctx, table, &data_dir).await?);
            continue;
        }
        ctx.table(*table)
            .await?
            .write_parquet(
                path.to_str().context("output path is not UTF-8")?,
                DataFrameWriteOptions::new().with_single_file_output(true),
                None,
            )
            .await
            .with_context(|| format!("writing {}", path.display()))?;
        table_files.push(format!("data/{name}"));
    }
    write_rejects(accounting, &dir.join("rejects.csv"))?;
    let manifest = Manifest {
        generator: GENERATOR,
        inputs: &accounting.inputs,
        tables: &accounting.tables,
        rejects_file: "rejects.csv",
        table_files: table_files.clone(),
    };
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    std::fs::write(dir.join("manifest.json"), json)?;
    Ok(table_files.into_iter().chain(["rejects.csv".to_string(), "manifest.json".to_string()]).collect())
}

/// A hard link to `from` at `to` (the kept file and the published one are the same
/// bytes, and the kept one is removed once the build is published); a copy where
/// linking is refused.
fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// `data/<table>.csv` beside the Parquet file, for spreadsheets: DataFusion's CSV
/// writer, a header row, the same rows in the same order.
async fn write_csv(ctx: &SessionContext, table: &str, data_dir: &Path) -> Result<String> {
    let name = format!("{table}.csv");
    let path = safe_join(data_dir, &name)?;
    ctx.table(table)
        .await?
        .write_csv(path.to_str().context("output path is not UTF-8")?, DataFrameWriteOptions::new().with_single_file_output(true), None)
        .await
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(format!("data/{name}"))
}

/// Every rejected record with its file, line, key, reason and detail.
pub fn write_rejects(accounting: &Accounting, path: &Path) -> Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(["file", "line", "key", "reason", "detail"])?;
    for r in &accounting.rejects {
        writer.write_record([r.file.as_str(), &r.line.to_string(), &r.key, &r.reason, &r.detail])?;
    }
    writer.flush()?;
    Ok(())
}
