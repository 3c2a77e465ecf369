//! The DataFusion session every stage runs in, the SQL scripts of sql/ and the UDFs
//! they call.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::execution::memory_pool::{
    FairSpillPool, MemoryConsumer, MemoryPool, MemoryReservation, TrackConsumersPool, UnboundedMemoryPool,
};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::logical_expr::var_provider::{VarProvider, VarType};
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::settings::{SQL_MEMORY_MB, SQL_VARIABLES};

#[cfg(feature = "ballista")]
pub mod ballista;
pub mod scripts;
pub mod udf;

/// Where the ETL's SQL runs (`marquee build --engine`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Engine {
    /// DataFusion in this process.
    #[default]
    Local,
    /// An Apache Ballista cluster (the `ballista` feature): its scheduler's `HOST:PORT`,
    /// and a directory every node sees at the same path, where the in-memory tables go.
    Ballista { scheduler: String, scratch: std::path::PathBuf },
}

impl Engine {
    /// `local`, or `ballista://HOST:PORT` with a `--scratch` directory.
    pub fn parse(text: &str, scratch: Option<std::path::PathBuf>) -> anyhow::Result<Engine> {
        if text == "local" {
            if scratch.is_some() {
                anyhow::bail!("--scratch is for --engine ballista://HOST:PORT");
            }
            return Ok(Engine::Local);
        }
        let Some(scheduler) = text.strip_prefix("ballista://") else {
            anyhow::bail!("--engine {text:?}: expected local or ballista://HOST:PORT");
        };
        if !cfg!(feature = "ballista") {
            anyhow::bail!("--engine {text}: this marquee was built without Ballista; build it with `cargo build --features ballista`");
        }
        let scheduler = scheduler.trim_end_matches('/').to_string();
        let Some(scratch) = scratch else {
            anyhow::bail!("--engine {text} needs --scratch DIR: a directory every node sees at the same path");
        };
        Ok(Engine::Ballista { scheduler, scratch })
    }
}

/// A session for the ETL on `engine`, set up as [`new_context_within`] sets one up.
pub async fn context_on(engine: &Engine, memory_limit: Option<usize>) -> anyhow::Result<SessionContext> {
    match engine {
        Engine::Local => Ok(new_context_within(memory_limit)),
        #[cfg(feature = "ballista")]
        Engine::Ballista { scheduler, scratch } => ballista::remote_context(scheduler, scratch, memory_limit).await,
        #[cfg(not(feature = "ballista"))]
        Engine::Ballista { .. } => anyhow::bail!("this marquee was built without Ballista (cargo build --features ballista)"),
    }
}

/// Runs `queries` against the tables of `ctx` (a session of this process) on `engine`;
/// the tables they make end up in `ctx`, as if they had run there.
pub async fn run_on<T>(
    engine: &Engine,
    ctx: &SessionContext,
    memory_limit: Option<usize>,
    queries: impl AsyncFnOnce(&SessionContext) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    match engine {
        Engine::Local => queries(ctx).await,
        #[cfg(feature = "ballista")]
        Engine::Ballista { scheduler, scratch } => {
            let remote = ballista::remote_copy(ctx, scheduler, scratch, memory_limit).await?;
            let out = queries(&remote).await?;
            ballista::bring_back_new_tables(&remote, ctx).await?;
            Ok(out)
        }
        #[cfg(not(feature = "ballista"))]
        Engine::Ballista { .. } => {
            let _ = memory_limit;
            anyhow::bail!("this marquee was built without Ballista (cargo build --features ballista)")
        }
    }
}

/// `ctx` itself, or for a session on a cluster, a session of this process with the same
/// tables (which the client holds): the stages after the ETL run here.
pub async fn on_this_machine(ctx: SessionContext, memory_limit: Option<usize>) -> anyhow::Result<SessionContext> {
    #[cfg(feature = "ballista")]
    if ballista::is_remote(&ctx) {
        let local = new_context_within(memory_limit);
        for name in ballista::table_names(&ctx) {
            let name = datafusion::common::TableReference::bare(name);
            local.register_table(name.clone(), ctx.table_provider(name).await?)?;
        }
        let partitions = ctx.state_ref().read().config().target_partitions();
        set_target_partitions(&local, partitions);
        return Ok(local);
    }
    let _ = memory_limit;
    Ok(ctx)
}

/// A session set up the way every marquee stage expects, its sorts held to
/// `SQL_MEMORY_MB` (see `runtime`).
pub fn new_context() -> SessionContext {
    new_context_within(None)
}

/// A session whose SQL operators share at most `memory_limit` bytes (`--memory-limit`):
/// sorts and aggregates spill to temporary files beyond it, and an operator that cannot
/// spill fails with an error naming the largest consumers. `None`: only sorts are held,
/// to `SQL_MEMORY_MB`.
pub fn new_context_within(memory_limit: Option<usize>) -> SessionContext {
    let config = SessionConfig::new()
        .with_target_partitions(cores())
        // Plain Utf8 everywhere keeps UDF inputs and Parquet output uniform.
        .set_bool("datafusion.sql_parser.map_string_types_to_utf8view", false)
        .set_bool("datafusion.execution.parquet.schema_force_view_types", false)
        // A clean table read from its Parquet file stays one partition in file order,
        // as the table held in memory was, even when a stage plans on every core.
        .set_bool("datafusion.optimizer.repartition_file_scans", false);
    let runtime = match memory_limit {
        None => runtime(),
        Some(bytes) => {
            // A fair pool gives each spilling operator its share, so two sorts running
            // side by side both make progress; the tracking pool names the top consumers
            // when a limit is hit.
            let pool = TrackConsumersPool::new(FairSpillPool::new(bytes), std::num::NonZeroUsize::new(5).expect("5 > 0"));
            RuntimeEnvBuilder::new().with_memory_pool(Arc::new(pool)).build_arc().expect("runtime with a memory pool")
        }
    };
    let ctx = SessionContext::new_with_config_rt(config, runtime);
    udf::register_all(&ctx);
    ctx.register_variable(VarType::UserDefined, Arc::new(Settings));
    ctx
}

/// Sorts (also those under windows) share a pool of `SQL_MEMORY_MB` and spill to
/// temporary files beyond it: the full MovieLens ratings (26 million rows) are sorted
/// twice, and in memory those sorts alone took gigabytes. Other operators are not
/// limited, as before: for a hash join's build side a limit would only fail the build.
fn runtime() -> Arc<RuntimeEnv> {
    let pool = SpillablesLimited { spillable: FairSpillPool::new(SQL_MEMORY_MB << 20), other: UnboundedMemoryPool::default() };
    RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(pool))
        .build_arc()
        .expect("a runtime with a memory pool and the default temporary directory")
}

/// A memory pool that limits only the sorts.
#[derive(Debug)]
struct SpillablesLimited {
    spillable: FairSpillPool,
    other: UnboundedMemoryPool,
}

impl SpillablesLimited {
    fn of(&self, consumer: &MemoryConsumer) -> &dyn MemoryPool {
        // Sorts always spill when refused; a partial aggregate, though marked as able
        // to, fails the query instead (seen on the 4x data), so only sorts are limited.
        if consumer.can_spill() && consumer.name().starts_with("ExternalSorter") { &self.spillable } else { &self.other }
    }
}

impl std::fmt::Display for SpillablesLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "spillable operators: {}; others unlimited", self.spillable)
    }
}

impl MemoryPool for SpillablesLimited {
    fn name(&self) -> &str {
        "spillables limited"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        self.of(consumer).register(consumer)
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        self.of(consumer).unregister(consumer)
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        self.of(reservation.consumer()).grow(reservation, additional)
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.of(reservation.consumer()).shrink(reservation, shrink)
    }

    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> datafusion::error::Result<()> {
        self.of(reservation.consumer()).try_grow(reservation, additional)
    }

    fn reserved(&self) -> usize {
        self.spillable.reserved() + self.other.reserved()
    }
}

/// `@name` in SQL: the tunables of `settings::SQL_VARIABLES`, so the SQL holds no
/// magic numbers and Rust and SQL read the same value.
#[derive(Debug)]
struct Settings;

impl Settings {
    fn lookup(names: &[String]) -> Option<i64> {
        let [name] = names else { return None };
        let name = name.strip_prefix('@')?;
        SQL_VARIABLES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

impl VarProvider for Settings {
    fn get_value(&self, names: Vec<String>) -> datafusion::error::Result<ScalarValue> {
        Settings::lookup(&names)
            .map(|v| ScalarValue::Int64(Some(v)))
            .ok_or_else(|| datafusion::error::DataFusionError::Plan(format!("unknown setting {}", names.join("."))))
    }

    fn get_type(&self, names: &[String]) -> Option<DataType> {
        Settings::lookup(names).map(|_| DataType::Int64)
    }
}

/// Registers `table` as the Parquet file at `path`: DataFusion streams it, one
/// partition in file order (`repartition_file_scans` is off), never holding it whole.
pub async fn register_parquet_file(ctx: &SessionContext, table: &str, path: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let text = path.to_str().with_context(|| format!("{} is not UTF-8", path.display()))?;
    ctx.register_parquet(table, text, datafusion::prelude::ParquetReadOptions::default())
        .await
        .with_context(|| format!("reading {}", path.display()))
}

/// Rows in each batch handed to the Parquet writer. The writer cuts its pages where
/// batches begin, so a file written from the same rows in other batches differs in its
/// bytes: the batches a Ballista cluster sends back are not the ones this process makes.
/// Cut into batches of this size, the same rows are the same file.
const WRITTEN_BATCH_ROWS: usize = 8192;

/// Writes the rows of `plan` to one Parquet file at `path`, streamed, partition after
/// partition (never interleaved as they come), with the session's Parquet options.
pub async fn write_parquet_file(
    plan: Arc<dyn datafusion::physical_plan::ExecutionPlan>,
    session: &dyn datafusion::catalog::Session,
    path: &std::path::Path,
) -> datafusion::error::Result<()> {
    use datafusion::arrow::compute::BatchCoalescer;
    use datafusion::common::file_options::parquet_writer::ParquetWriterOptions;
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::physical_plan::ExecutionPlanProperties;
    use futures::StreamExt;
    let schema = plan.schema();
    let mut options = session.table_options().parquet.clone();
    // As DataFusion's own Parquet writer does: the Arrow schema in the file's metadata.
    options.arrow_schema(&schema);
    let properties = ParquetWriterOptions::try_from(&options)?.writer_options().clone();
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(properties))?;
    let mut cut = BatchCoalescer::new(schema, WRITTEN_BATCH_ROWS);
    for partition in 0..plan.output_partitioning().partition_count() {
        let mut batches = plan.execute(partition, session.task_ctx())?;
        while let Some(batch) = batches.next().await {
            cut.push_batch(batch?)?;
            while let Some(batch) = cut.next_completed_batch() {
                writer.write(&batch)?;
            }
        }
    }
    cut.finish_buffered_batch()?;
    while let Some(batch) = cut.next_completed_batch() {
        writer.write(&batch)?;
    }
    writer.close()?;
    Ok(())
}

/// How many partitions parallel plans use: one per core.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sql_reads_the_settings_as_variables() {
        let ctx = new_context();
        let batches = ctx.sql("SELECT @movie_page_cast + 0 AS n").await.unwrap().collect().await.unwrap();
        let n = crate::foundation::cells::int_at(batches[0].column(0).as_ref(), 0);
        assert_eq!(n, Some(crate::settings::MOVIE_PAGE_CAST));
        let unknown = ctx.sql("SELECT @no_such_setting").await;
        assert!(unknown.is_err(), "an unknown setting is an error, not null");
    }

    #[test]
    fn engines_are_local_or_a_ballista_scheduler_with_a_scratch_directory() {
        assert_eq!(Engine::parse("local", None).unwrap(), Engine::Local);
        assert!(Engine::parse("local", Some("/tmp/s".into())).is_err(), "--scratch without a cluster is a mistake");
        assert!(Engine::parse("spark://h:1", None).is_err());
        let cluster = Engine::parse("ballista://sched:50050", Some("/shared/s".into()));
        if cfg!(feature = "ballista") {
            assert_eq!(cluster.unwrap(), Engine::Ballista { scheduler: "sched:50050".into(), scratch: "/shared/s".into() });
            let no_scratch = Engine::parse("ballista://sched:50050", None).unwrap_err().to_string();
            assert!(no_scratch.contains("--scratch"), "{no_scratch}");
        } else {
            assert!(cluster.unwrap_err().to_string().contains("--features ballista"));
        }
    }

    #[test]
    fn every_sql_variable_is_used_by_some_script() {
        let root = crate::foundation::scratch::source_dir().join("sql");
        let mut sql = String::new();
        for dir in ["etl", "queries", "recommend", "render"] {
            for file in scripts::files_on_disk(dir) {
                sql += &std::fs::read_to_string(root.join(file)).unwrap();
            }
        }
        for (name, _) in SQL_VARIABLES {
            assert!(sql.contains(&format!("@{name}")), "settings::SQL_VARIABLES has {name}, which no script reads");
        }
    }
}
