//! The results of the first data stages kept between separate runs, so that the stages
//! can be run one at a time (`marquee build --until etl`, `make etl`, `make recommend`)
//! and the next run starts where the last one stopped.
//!
//! Each stage's results live in their own directory of the cache beside the output,
//! `stages/etl` (the clean tables as Parquet, the row accounting) and
//! `stages/recommend` (the recommendations as Parquet, the stage's figures), with a
//! `key` file: what they were made from (the program and every input file, as the
//! data fingerprint says). A directory is made under another name and renamed into
//! place whole, its key written last, so a run cut short leaves nothing that looks
//! complete. Results whose key differs are not read; results that cannot be read are
//! reported and made again, never trusted.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};

use crate::foundation::engine;
use crate::foundation::fingerprint::{Fingerprint, Fingerprinter};
use crate::foundation::output::{replace_dir_atomically, write_atomically};
use crate::foundation::parts::Part;
use crate::foundation::tables;
use crate::stages::etl::{Accounting, Reject};
use crate::stages::recommend::RecommendStats;

/// The stage a partial run stops after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Until {
    /// Load and clean the inputs: the clean tables and the row accounting.
    Etl,
    /// Then the recommendations for every movie.
    Recommend,
    /// Then the person and movie pages of one part of the site (with `--part K/N`).
    Site,
}

const KEY: &str = "key";
const STATE: &str = "state.json";

/// What the etl results in `cache` are made from: the data fingerprint, in a domain
/// of its own.
fn etl_key(data: Fingerprint) -> Fingerprint {
    Fingerprinter::new("etl stage results").add_fingerprint(data).finish()
}

fn recommend_key(data: Fingerprint) -> Fingerprint {
    Fingerprinter::new("recommend stage results").add_fingerprint(data).finish()
}

fn stage_dir(cache: &Path, stage: &str) -> PathBuf {
    cache.join("stages").join(stage)
}

#[derive(Serialize, Deserialize)]
struct EtlState {
    accounting: Accounting,
    rejects: Vec<Reject>,
}

/// Results found for a stage: none with this key, or some that cannot be trusted.
pub enum Found<T> {
    Some(T),
    Nothing,
    Distrusted(String),
}

/// Keeps the clean tables and the accounting of `ctx` as the etl results of `data`.
pub async fn save_etl(cache: &Path, data: Fingerprint, ctx: &SessionContext, accounting: &Accounting) -> Result<()> {
    let state = EtlState { accounting: accounting.clone(), rejects: accounting.rejects.clone() };
    save(cache, "etl", etl_key(data), async |dir: &Path| {
        for table in tables::CLEAN {
            write_parquet(ctx, table, dir).await?;
        }
        write_atomically(&dir.join(STATE), |w| Ok(serde_json::to_writer(w, &state)?))
    })
    .await
}

/// Keeps the clean tables of `ctx` as the etl results of `data` (see [`save_etl`]) and
/// returns a session that reads them from those files instead of holding them: the
/// ETL's session, and with it the tables in memory, is dropped. The later stages scan
/// the files as they need them, and publishing links the files into the output
/// rather than writing them again ([`etl_table_dir`]).
pub async fn keep_etl(
    cache: &Path,
    data: Fingerprint,
    ctx: SessionContext,
    accounting: &Accounting,
    memory_limit: Option<usize>,
) -> Result<SessionContext> {
    save_etl(cache, data, &ctx, accounting).await?;
    drop(ctx);
    open_etl(&stage_dir(cache, "etl"), memory_limit).await
}

/// Where the clean tables of the etl results are, as `<table>.parquet`: the files a
/// session of [`keep_etl`] or [`load_etl`] reads.
pub fn etl_table_dir(cache: &Path) -> PathBuf {
    stage_dir(cache, "etl")
}

/// The clean tables and the accounting kept for `data`, in a session planned as
/// [`super::clean`] leaves it. Every table is read through once first, so that damaged
/// files are found here (and the etl runs again), not halfway through a later stage.
pub async fn load_etl(cache: &Path, data: Fingerprint, memory_limit: Option<usize>) -> Found<(SessionContext, Accounting)> {
    let dir = stage_dir(cache, "etl");
    if !has_key(&dir, etl_key(data)) {
        return Found::Nothing;
    }
    let loaded = async {
        let ctx = open_etl(&dir, memory_limit).await?;
        for table in tables::CLEAN {
            read_through(&ctx, table).await.with_context(|| format!("reading {}", dir.join(format!("{table}.parquet")).display()))?;
        }
        let path = dir.join(STATE);
        let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        let state: EtlState =
            serde_json::from_reader(std::io::BufReader::new(file)).with_context(|| format!("reading {}", path.display()))?;
        let mut accounting = state.accounting;
        accounting.rejects = state.rejects;
        anyhow::Ok((ctx, accounting))
    };
    match loaded.await {
        Ok(found) => Found::Some(found),
        Err(e) => Found::Distrusted(format!("{}: {e:#}; etl runs again", dir.display())),
    }
}

/// A session with every clean table of `dir` registered as its Parquet file, planned
/// deterministically.
async fn open_etl(dir: &Path, memory_limit: Option<usize>) -> Result<SessionContext> {
    let ctx = engine::new_context_within(memory_limit);
    for table in tables::CLEAN {
        engine::register_parquet_file(&ctx, table, &dir.join(format!("{table}.parquet"))).await?;
    }
    engine::switch_to_deterministic_plans(&ctx);
    Ok(ctx)
}

/// Decodes every row of `table` and drops it: whether its file can be read whole.
async fn read_through(ctx: &SessionContext, table: &str) -> Result<()> {
    use futures::StreamExt;
    let mut stream = ctx.table(table).await?.execute_stream().await?;
    while let Some(batch) = stream.next().await {
        batch?;
    }
    Ok(())
}

/// Keeps the `recommendations` table of `ctx` and the stage's figures.
pub async fn save_recommend(cache: &Path, data: Fingerprint, ctx: &SessionContext, stats: &RecommendStats) -> Result<()> {
    save(cache, "recommend", recommend_key(data), async |dir: &Path| {
        write_parquet(ctx, tables::RECOMMENDATIONS, dir).await?;
        write_atomically(&dir.join(STATE), |w| Ok(serde_json::to_writer(w, stats)?))
    })
    .await
}

/// Keeps the recommendations just made for `data` (as `save_recommend`), then reads them
/// from that file instead of holding them: at 8x the full data the table held about
/// 0.3 GB through the questions, the bundle and the site.
pub async fn keep_recommend(cache: &Path, data: Fingerprint, ctx: &SessionContext, stats: &RecommendStats) -> Result<()> {
    save_recommend(cache, data, ctx, stats).await?;
    ctx.deregister_table(tables::RECOMMENDATIONS)?;
    let path = stage_dir(cache, "recommend").join(format!("{}.parquet", tables::RECOMMENDATIONS));
    engine::register_parquet_file(ctx, tables::RECOMMENDATIONS, &path).await
}

/// Registers the recommendations kept for `data` in `ctx`; their figures.
pub async fn load_recommend(cache: &Path, data: Fingerprint, ctx: &SessionContext) -> Found<RecommendStats> {
    let dir = stage_dir(cache, "recommend");
    if !has_key(&dir, recommend_key(data)) {
        return Found::Nothing;
    }
    let loaded = async {
        let path = dir.join(STATE);
        let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        let stats: RecommendStats =
            serde_json::from_reader(std::io::BufReader::new(file)).with_context(|| format!("reading {}", path.display()))?;
        register_parquet(ctx, tables::RECOMMENDATIONS, &dir).await?;
        anyhow::Ok(stats)
    };
    match loaded.await {
        Ok(stats) => Found::Some(stats),
        Err(e) => {
            // A half-registered table must not be mistaken for the stage's result.
            let _ = ctx.deregister_table(tables::RECOMMENDATIONS);
            Found::Distrusted(format!("{}: {e:#}; recommend runs again", dir.display()))
        }
    }
}

/// What the recommendations of `part` are made from: the data and the part.
fn recommend_part_key(data: Fingerprint, part: Part) -> Fingerprint {
    Fingerprinter::new("recommend part results").add_fingerprint(data).add_u64(part.index as u64).add_u64(part.count as u64).finish()
}

fn recommend_part_stage(part: Part) -> String {
    format!("recommend-part-{}", part.name())
}

/// Keeps the `recommendations` of `part` (its movies' rows only) and the figures.
pub async fn save_recommend_part(cache: &Path, data: Fingerprint, part: Part, ctx: &SessionContext, stats: &RecommendStats) -> Result<()> {
    save(cache, &recommend_part_stage(part), recommend_part_key(data, part), async |dir: &Path| {
        write_parquet(ctx, tables::RECOMMENDATIONS, dir).await?;
        write_atomically(&dir.join(STATE), |w| Ok(serde_json::to_writer(w, stats)?))
    })
    .await
}

pub fn has_recommend_part(cache: &Path, data: Fingerprint, part: Part) -> bool {
    has_key(&stage_dir(cache, &recommend_part_stage(part)), recommend_part_key(data, part))
}

/// Whether the recommendations of every part of `count` are kept for `data`.
pub fn has_recommend_parts(cache: &Path, data: Fingerprint, count: usize) -> bool {
    Part::all(count).all(|part| has_recommend_part(cache, data, part))
}

/// Whether the recommendations of every part of `count` are kept for `data`; if not,
/// an error naming each part missing or made from other data or another program.
pub fn check_recommend_parts(cache: &Path, data: Fingerprint, count: usize) -> Result<()> {
    let unusable: Vec<String> = Part::all(count)
        .filter(|&part| !has_recommend_part(cache, data, part))
        .map(|part| match stage_dir(cache, &recommend_part_stage(part)).join(KEY).exists() {
            true => format!("part {part} was made from other data or another program"),
            false => format!("part {part} is missing"),
        })
        .collect();
    if !unusable.is_empty() {
        anyhow::bail!(
            "the recommendations cannot be put together from {count} parts: {} (in {}); run `marquee build --until recommend --part K/{count}` \
             with this data and program for each",
            unusable.join(", "),
            cache.join("stages").display()
        );
    }
    Ok(())
}

/// Registers in `ctx` the recommendations of the `count` parts kept for `data`, put
/// together into the table one whole run makes (the parts are ranges of ids, and the
/// table is in id order); their figures. A part missing, made from other data or
/// another program, or unreadable, is an error naming it.
pub fn load_recommend_parts(cache: &Path, data: Fingerprint, count: usize, ctx: &SessionContext) -> Result<RecommendStats> {
    check_recommend_parts(cache, data, count)?;
    let schema = crate::stages::recommend::recommendations_schema();
    let mut batches = Vec::new();
    for part in Part::all(count) {
        let path = stage_dir(cache, &recommend_part_stage(part)).join(format!("{}.parquet", tables::RECOMMENDATIONS));
        batches.extend(
            read_parquet_in_order(&path, &schema).with_context(|| format!("recommendations of part {part}: reading {}", path.display()))?,
        );
    }
    let whole = datafusion::arrow::compute::concat_batches(&schema, &batches)?;
    let table = datafusion::datasource::MemTable::try_new(schema, vec![vec![whole]])?;
    ctx.register_table(tables::RECOMMENDATIONS, std::sync::Arc::new(table))?;
    let path = stage_dir(cache, &recommend_part_stage(Part { index: 1, count })).join(STATE);
    let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    serde_json::from_reader(std::io::BufReader::new(file)).with_context(|| format!("reading {}", path.display()))
}

/// Every row of a Parquet file in file order, as batches of `schema` (the file's own
/// schema may name the same columns with other metadata).
fn read_parquet_in_order(
    path: &Path,
    schema: &datafusion::arrow::datatypes::SchemaRef,
) -> Result<Vec<datafusion::arrow::array::RecordBatch>> {
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path)?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?.build()?;
    reader.map(|batch| Ok(datafusion::arrow::array::RecordBatch::try_new(schema.clone(), batch?.columns().to_vec())?)).collect()
}

/// Removes every stage's kept results: once a build is published, its output holds
/// them (and the data reuse of the next build reads them from there).
pub fn forget(cache: &Path) {
    let _ = std::fs::remove_dir_all(cache.join("stages"));
}

/// Whether etl results of `data` are kept (not yet whether they can be read).
pub fn has_etl(cache: &Path, data: Fingerprint) -> bool {
    has_key(&stage_dir(cache, "etl"), etl_key(data))
}

pub fn has_recommend(cache: &Path, data: Fingerprint) -> bool {
    has_key(&stage_dir(cache, "recommend"), recommend_key(data))
}

fn has_key(dir: &Path, key: Fingerprint) -> bool {
    std::fs::read_to_string(dir.join(KEY)).is_ok_and(|k| k == key.to_string())
}

/// Fills a stage's directory, its key written last, and puts it in place whole,
/// replacing what was there.
async fn save(cache: &Path, stage: &str, key: Fingerprint, fill: impl AsyncFnOnce(&Path) -> Result<()>) -> Result<()> {
    replace_dir_atomically(&stage_dir(cache, stage), async |dir: &Path| {
        fill(dir).await?;
        write_atomically(&dir.join(KEY), |w| Ok(std::io::Write::write_all(w, key.to_string().as_bytes())?))
    })
    .await
}

/// `table` as `<table>.parquet` in `dir` (see `engine::write_parquet_file`). The
/// session plans on one partition (`engine::switch_to_deterministic_plans`), so the
/// rows are written in the table's order.
async fn write_parquet(ctx: &SessionContext, table: &str, dir: &Path) -> Result<()> {
    let path = dir.join(format!("{table}.parquet"));
    let plan = ctx.table(table).await?.create_physical_plan().await?;
    engine::write_parquet_file(plan, &ctx.state(), &path).await.with_context(|| format!("writing {}", path.display()))
}

/// One table as its Parquet file in `dir` (streamed, as the clean tables are), read
/// through once so that a damaged file is found here.
async fn register_parquet(ctx: &SessionContext, table: &str, dir: &Path) -> Result<()> {
    let path = dir.join(format!("{table}.parquet"));
    engine::register_parquet_file(ctx, table, &path).await?;
    read_through(ctx, table).await.with_context(|| format!("reading {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::datasource::listing::ListingTable;

    async fn rows(ctx: &SessionContext, table: &str) -> Vec<datafusion::arrow::array::RecordBatch> {
        ctx.table(table).await.unwrap().collect().await.unwrap()
    }

    #[tokio::test]
    async fn kept_clean_tables_are_read_from_their_files_not_held() {
        let cache = std::env::temp_dir().join(format!("marquee-keep-etl-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&cache);
        let sample = crate::foundation::scratch::source_dir().join("data/sample");
        let mut loaded = crate::stages::load::load_all(&sample).unwrap();
        let (made, accounting) = super::super::clean(&mut loaded).await.unwrap();
        let mut expected = Vec::new();
        for table in tables::CLEAN {
            expected.push(
                datafusion::arrow::compute::concat_batches(
                    &made.table(*table).await.unwrap().schema().as_arrow().clone().into(),
                    &rows(&made, table).await,
                )
                .unwrap(),
            );
        }
        let data = Fingerprinter::new("test data").finish();
        let ctx = keep_etl(&cache, data, made, &accounting, None).await.unwrap();
        assert!(has_etl(&cache, data), "kept for the next run as `--until etl` keeps them");
        for (table, expected) in tables::CLEAN.iter().zip(expected) {
            let provider = ctx.table_provider(*table).await.unwrap();
            assert!(provider.downcast_ref::<ListingTable>().is_some(), "{table} is read from its file");
            assert!(etl_table_dir(&cache).join(format!("{table}.parquet")).is_file());
            let read = rows(&ctx, table).await;
            assert_eq!(
                datafusion::arrow::compute::concat_batches(&expected.schema(), &read).unwrap(),
                expected,
                "{table}: same rows, same order"
            );
        }
        let _ = std::fs::remove_dir_all(&cache);
    }

    /// Writes `rows` of one column, batched as `sizes` says, as table `t` and returns
    /// the file's bytes.
    async fn written_as(dir: &Path, rows: &[i64], sizes: &[usize]) -> Vec<u8> {
        use datafusion::arrow::array::{Int64Array, RecordBatch};
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        let schema = std::sync::Arc::new(Schema::new(vec![Field::new("v", DataType::Int64, false)]));
        let mut batches = Vec::new();
        let mut at = 0;
        for &size in sizes {
            let column = Int64Array::from(rows[at..at + size].to_vec());
            batches.push(RecordBatch::try_new(schema.clone(), vec![std::sync::Arc::new(column)]).unwrap());
            at += size;
        }
        assert_eq!(at, rows.len());
        // As the pipeline writes them: one partition, so the rows keep their order.
        let ctx = SessionContext::new();
        engine::switch_to_deterministic_plans(&ctx);
        let table = datafusion::datasource::MemTable::try_new(schema, vec![batches]).unwrap();
        ctx.register_table("t", std::sync::Arc::new(table)).unwrap();
        std::fs::create_dir_all(dir).unwrap();
        write_parquet(&ctx, "t", dir).await.unwrap();
        std::fs::read(dir.join("t.parquet")).unwrap()
    }

    #[tokio::test]
    async fn the_same_rows_in_other_batches_write_the_same_file() {
        let dir = crate::foundation::scratch::ScratchDir::new("stage-results", "batches");
        // Values that make the writer's pages and dictionary depend on where it cuts.
        let rows: Vec<i64> = (0..30_000).map(|i| (i * 7919 % 1000) * (i % 3)).collect();
        let whole = written_as(&dir.join("whole"), &rows, &[rows.len()]).await;
        let small = written_as(&dir.join("small"), &rows, &[1, 999, 8191, 1, 12_000, 8808]).await;
        let even = written_as(&dir.join("even"), &rows, &[10_000, 10_000, 10_000]).await;
        let first_difference = |a: &[u8], b: &[u8]| a.iter().zip(b).position(|(x, y)| x != y);
        assert!(
            whole == small && whole == even,
            "the file depends only on the rows: {} / {} / {} bytes, first differences at {:?} and {:?}",
            whole.len(),
            small.len(),
            even.len(),
            first_difference(&whole, &small),
            first_difference(&whole, &even)
        );
        use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let read =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(dir.join("small/t.parquet")).unwrap()).unwrap().build().unwrap();
        let back: Vec<i64> = read
            .flat_map(|b| b.unwrap().column(0).as_any().downcast_ref::<datafusion::arrow::array::Int64Array>().unwrap().values().to_vec())
            .collect();
        assert_eq!(back, rows, "the rows, in order");
    }
}
