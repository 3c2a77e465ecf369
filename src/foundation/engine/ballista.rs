//! The same SQL on an Apache Ballista cluster (the `ballista` feature):
//! `marquee scheduler`, `marquee executor`, and the session `marquee build --engine
//! ballista://HOST:PORT` runs its SQL in.
//!
//! Every node runs this binary, so each knows marquee's UDFs: the scheduler plans with
//! them, the executors run them (the stock Ballista binaries know only DataFusion's
//! functions). They are added with `register_udf` on top of the built-ins; Ballista's
//! `with_scalar_functions` would replace the built-ins instead.
//!
//! Ballista can only scan tables every executor can read itself: not the in-memory
//! tables the loader and `CREATE TABLE ... AS` make on the client. So the client's
//! query planner writes each in-memory table a query reads to a Parquet file under the
//! scratch directory (once per table) and plans the query over that file instead; the
//! .sql files stay as they are. The scratch directory must be the same path on every
//! node (a shared mount): the scheduler plans over those files, the executors read them.
//!
//! `@name` settings are read on the client and sent as literals: the nodes do not
//! have marquee's variable provider, and Ballista does not serialise variables.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use anyhow::{Context, Result, bail};
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::datasource::{provider_as_source, source_as_provider};
use datafusion::error::DataFusionError;
use datafusion::execution::context::QueryPlanner;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::execution::{SessionState, SessionStateBuilder};
use datafusion::logical_expr::var_provider::VarType;
use datafusion::logical_expr::{Expr, LogicalPlan, TableScan};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, PlanProperties};
use datafusion::physical_planner::{DefaultPhysicalPlanner, PhysicalPlanner};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};

use super::udf;

/// How the scheduler is run: `marquee scheduler`, or a test's in-process one.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// The host name executors and clients reach this scheduler at.
    pub external_host: String,
    /// Seconds without a poll after which an executor counts as dead and its tasks run
    /// elsewhere.
    pub executor_timeout_s: u64,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions { external_host: "localhost".into(), executor_timeout_s: 30 }
    }
}

/// How an executor is run: `marquee executor`, or a test's in-process one.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler, `HOST:PORT`.
    pub scheduler: String,
    /// Where this executor serves its shuffle and result partitions (Arrow Flight).
    pub bind: SocketAddr,
    /// The host name the other nodes and the client reach this executor at.
    pub external_host: String,
    /// Tasks run at once; 0 for one per core.
    pub concurrency: usize,
    /// Where shuffle files go (a temporary directory by default).
    pub work_dir: Option<PathBuf>,
}

/// The session every node plans and runs with: Ballista's, plus marquee's UDFs.
fn node_state(config: SessionConfig) -> datafusion::error::Result<SessionState> {
    let mut state = ballista_core::utils::default_session_builder(config)?;
    for udf in udf::all() {
        datafusion::execution::FunctionRegistry::register_udf(&mut state, Arc::new(udf))?;
    }
    Ok(state)
}

/// Runs a scheduler on `listener` until the process ends. Tasks are pulled by the
/// executors, whose polls are also how the scheduler knows they are alive.
pub async fn run_scheduler(listener: tokio::net::TcpListener, opts: SchedulerOptions) -> Result<()> {
    let bound = listener.local_addr()?;
    let config = SchedulerConfig {
        external_host: opts.external_host,
        bind_host: bound.ip().to_string(),
        bind_port: bound.port(),
        scheduling_policy: TaskSchedulingPolicy::PullStaged,
        executor_timeout_seconds: opts.executor_timeout_s,
        expire_dead_executor_interval_seconds: (opts.executor_timeout_s / 2).clamp(1, 15),
        no_executors_grace_period_seconds: opts.executor_timeout_s,
        override_session_builder: Some(Arc::new(node_state)),
        ..SchedulerConfig::default()
    };
    config.validate().map_err(|e| anyhow::anyhow!("scheduler configuration: {e}"))?;
    let config = Arc::new(config);
    let cluster = BallistaCluster::new_from_config(&config).await.map_err(|e| anyhow::anyhow!("scheduler state: {e}"))?;
    let scheduler = create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, config)
        .await
        .map_err(|e| anyhow::anyhow!("starting the scheduler: {e}"))?;
    start_grpc_service_with_listener(listener, scheduler).await.map_err(|e| anyhow::anyhow!("scheduler on {bound}: {e}"))
}

/// Runs an executor until the process ends (or the scheduler stops it).
pub async fn run_executor(opts: ExecutorOptions) -> Result<()> {
    let (scheduler_host, scheduler_port) = host_and_port(&opts.scheduler)?;
    let registry = BallistaFunctionRegistry::from(&node_state(SessionConfig::new_with_ballista())?);
    let config = ExecutorProcessConfig {
        bind_host: opts.bind.ip().to_string(),
        port: opts.bind.port(),
        external_host: Some(opts.external_host),
        scheduler_host,
        scheduler_port,
        // No retries: a wrong address is an error at once, not a silent wait.
        scheduler_connect_timeout_seconds: 0,
        vcores: opts.concurrency,
        task_scheduling_policy: TaskSchedulingPolicy::PullStaged,
        work_dir: opts.work_dir.map(|d| d.to_string_lossy().into_owned()),
        print_thread_info: false,
        override_function_registry: Some(Arc::new(registry)),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config)).await.map_err(|e| anyhow::anyhow!("executor on {}: {e}", opts.bind))
}

/// Ballista's nodes and client report through `log`: its records go to stderr, at the
/// level `RUST_LOG` names (`error`, `warn`, `info`, `debug`, `trace`; `warn` when unset),
/// as Ballista's own binaries show them. A small logger of our own: a logging crate
/// would change `log`'s features and with them most of the dependency graph's builds.
pub fn log_to_stderr() {
    let level = std::env::var("RUST_LOG").ok().and_then(|l| l.parse().ok()).unwrap_or(log::LevelFilter::Warn);
    if log::set_logger(&StderrLog).is_ok() {
        log::set_max_level(level);
    }
}

struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("[{} {}] {}", record.level(), record.target(), record.args());
        }
    }

    fn flush(&self) {}
}

/// `HOST:PORT` split, the port checked.
pub fn host_and_port(text: &str) -> Result<(String, u16)> {
    let Some((host, port)) = text.rsplit_once(':') else { bail!("{text:?}: expected HOST:PORT") };
    let port: u16 = port.parse().with_context(|| format!("{text:?}: {port:?} is not a port number"))?;
    if host.is_empty() {
        bail!("{text:?}: no host before the port");
    }
    Ok((host.to_string(), port))
}

/// Marks a session whose queries run on a cluster (see [`is_remote`]).
#[derive(Debug)]
struct OnCluster;

/// A session set up as [`super::new_context_within`] sets one up, whose queries run on
/// the cluster at `scheduler` (`HOST:PORT`): in-memory tables they read are written to
/// a directory of this build's own under `scratch` first.
pub async fn remote_context(scheduler: &str, scratch: &Path, memory_limit: Option<usize>) -> Result<SessionContext> {
    remote_context_in(scheduler, scratch_of_this_build(scratch)?, memory_limit).await
}

async fn remote_context_in(scheduler: &str, scratch: Arc<ScratchDirGuard>, memory_limit: Option<usize>) -> Result<SessionContext> {
    host_and_port(scheduler)?;
    let url = format!("df://{scheduler}");
    let local = super::new_context_within(memory_limit);
    // Ballista's adaptive planner re-plans stages from their measured sizes: its plans
    // for the accounting's `ORDER BY` over a union fail DataFusion's sanity check and
    // the job never ends; and partition counts chosen from sizes would make the plans,
    // and float sums with them, differ from run to run. The static planner it is.
    let config =
        local.copied_config().upgrade_for_ballista().with_ballista_adaptive_query_planner(false).with_extension(Arc::new(OnCluster));
    let state = SessionStateBuilder::new_from_existing(local.state()).with_config(config).build();
    let ctx = SessionContext::remote_with_state(&url, state).await.with_context(|| format!("connecting to the scheduler at {url}"))?;
    // Ballista's upgrade replaced the scalar functions with its own list: ours again.
    udf::register_all(&ctx);
    let state = ctx.state();
    let planner = ScratchPlanner { inner: state.query_planner().clone(), scratch, written: Mutex::default(), sequence: Default::default() };
    let state = SessionStateBuilder::new_from_existing(state).with_query_planner(Arc::new(planner)).build();
    Ok(SessionContext::new_with_state(state))
}

/// A session on the cluster with the tables of `ctx` (a session of this process),
/// planned with as many partitions. A table read from Parquet files here is read from
/// copies of them in the scratch directory (the nodes may not see this machine's
/// files); tables in memory and views are registered as they are.
pub async fn remote_copy(ctx: &SessionContext, scheduler: &str, scratch: &Path, memory_limit: Option<usize>) -> Result<SessionContext> {
    let scratch = scratch_of_this_build(scratch)?;
    let mut copies = Vec::new();
    for name in table_names(ctx) {
        let name = datafusion::common::TableReference::bare(name);
        let provider = ctx.table_provider(name.clone()).await?;
        let provider = match provider.downcast_ref::<ListingTable>() {
            Some(files) => copied_listing_table(files, &scratch.0, copies.len())?,
            None => provider,
        };
        copies.push((name, provider));
    }
    let remote = remote_context_in(scheduler, scratch, memory_limit).await?;
    for (name, provider) in copies {
        remote.register_table(name, provider)?;
    }
    super::set_target_partitions(&remote, ctx.state_ref().read().config().target_partitions());
    Ok(remote)
}

/// Registers in `local` every table `remote` has and `local` does not (what the
/// queries made, which the client holds).
pub async fn bring_back_new_tables(remote: &SessionContext, local: &SessionContext) -> Result<()> {
    for name in table_names(remote) {
        let name = datafusion::common::TableReference::bare(name);
        if !local.table_exist(name.clone())? {
            local.register_table(name.clone(), remote.table_provider(name).await?)?;
        }
    }
    Ok(())
}

pub fn table_names(ctx: &SessionContext) -> Vec<String> {
    ctx.catalog("datafusion").and_then(|c| c.schema("public")).map(|s| s.table_names()).unwrap_or_default()
}

/// `table` over copies of its files in `dir` (hard links where the file system allows).
fn copied_listing_table(table: &ListingTable, dir: &Path, n: usize) -> Result<Arc<dyn TableProvider>> {
    let [path] = table.table_paths().as_slice() else { bail!("a table over {} paths", table.table_paths().len()) };
    let source = url::Url::parse(path.as_str())
        .ok()
        .and_then(|u| u.to_file_path().ok())
        .with_context(|| format!("{} is not a local file", path.as_str()))?;
    if !source.is_file() {
        bail!("{} is not one file", source.display());
    }
    let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let copy = dir.join(format!("copy-{n:04}-{name}"));
    if std::fs::hard_link(&source, &copy).is_err() {
        std::fs::copy(&source, &copy).with_context(|| format!("copying {} to {}", source.display(), copy.display()))?;
    }
    Ok(parquet_table(&copy, table.schema())?)
}

/// Whether `ctx` runs its queries on a cluster.
pub fn is_remote(ctx: &SessionContext) -> bool {
    ctx.state_ref().read().config().get_extension::<OnCluster>().is_some()
}

/// A directory of its own under `scratch` for this build's tables (two builds may share
/// a scratch directory); removed by [`ScratchDirGuard`] when the planner goes.
fn scratch_of_this_build(scratch: &Path) -> Result<Arc<ScratchDirGuard>> {
    let dir = scratch.join(format!("marquee-{}-{}", std::process::id(), unique_suffix()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(Arc::new(ScratchDirGuard(dir)))
}

fn unique_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// This build's scratch directory, removed with everything in it when the session that
/// wrote it is dropped.
#[derive(Debug)]
struct ScratchDirGuard(PathBuf);

impl Drop for ScratchDirGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Ballista's query planner, after the in-memory tables a plan reads are written to
/// the scratch directory and the `@name` settings are turned into literals.
#[derive(Debug)]
struct ScratchPlanner {
    inner: Arc<dyn QueryPlanner + Send + Sync>,
    scratch: Arc<ScratchDirGuard>,
    /// The file-backed table written for each in-memory table, by the table's address.
    /// The table itself is not held (a script's DROP TABLE frees it, as it does on one
    /// machine); a dead one's file is deleted.
    written: Mutex<HashMap<usize, Written>>,
    /// Numbers the files, so a name is never written twice.
    sequence: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl QueryPlanner for ScratchPlanner {
    async fn create_physical_plan(&self, plan: &LogicalPlan, session: &dyn Session) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        if reads_one_held_table(plan) {
            // Rows the client holds already (a query's answers being collected):
            // nothing to send to the cluster.
            return DefaultPhysicalPlanner::default().create_physical_plan(plan, session).await;
        }
        let copies = self.write_held_tables(plan, session).await?;
        let plan = scannable(plan.clone(), &copies, session)?;
        let on_cluster = self.inner.create_physical_plan(&plan, session).await?;
        Ok(Arc::new(PlannedSchema::new(on_cluster, Arc::new(plan.schema().as_arrow().clone()))))
    }
}

/// The Parquet copies a plan's held tables are read from, by the table's address.
type Copies = HashMap<usize, Arc<dyn TableProvider>>;

/// The table a scan reads, when only this process can read it (see [`held_by_client`]).
fn held_table(scan: &TableScan) -> Option<Arc<dyn TableProvider>> {
    source_as_provider(&scan.source).ok().filter(|p| held_by_client(p.as_ref()))
}

/// Whether the nodes cannot read `table` themselves: a base table that is not a table
/// of files (an in-memory table, or the loader's spill file of this machine). Files
/// (listing tables) are planned as they are; views are planned through.
fn held_by_client(table: &dyn TableProvider) -> bool {
    table.table_type() == datafusion::datasource::TableType::Base && table.downcast_ref::<ListingTable>().is_none()
}

fn address(table: &Arc<dyn TableProvider>) -> usize {
    Arc::as_ptr(table) as *const () as usize
}

impl ScratchPlanner {
    /// Writes each held table `plan` reads to the scratch directory, once per table:
    /// their Parquet copies, by the table's address.
    async fn write_held_tables(&self, plan: &LogicalPlan, session: &dyn Session) -> datafusion::error::Result<Copies> {
        let mut held = Vec::new();
        plan.apply_with_subqueries(|node| {
            if let LogicalPlan::TableScan(scan) = node
                && let Some(table) = held_table(scan)
            {
                held.push((scan.table_name.to_string(), table));
            }
            Ok(TreeNodeRecursion::Continue)
        })?;
        let mut copies = Copies::new();
        for (name, table) in held {
            if copies.contains_key(&address(&table)) {
                continue;
            }
            let copy = match self.written_copy(&table)? {
                Some(copy) => copy,
                None => self.write_copy(&name, &table, session).await?,
            };
            copies.insert(address(&table), copy);
        }
        Ok(copies)
    }

    /// The copy written earlier for `table`, if it is still this table's. Copies of
    /// tables dropped since (a script's DROP TABLE) are deleted here.
    fn written_copy(&self, table: &Arc<dyn TableProvider>) -> datafusion::error::Result<Option<Arc<dyn TableProvider>>> {
        let mut written = self.written.lock().map_err(|_| DataFusionError::Internal("scratch table list poisoned".into()))?;
        written.retain(|_, w| {
            let alive = w.table.strong_count() > 0;
            if !alive {
                let _ = std::fs::remove_file(&w.path);
            }
            alive
        });
        let copy = written.get(&address(table)).filter(|w| w.table.upgrade().is_some_and(|t| Arc::ptr_eq(&t, table)));
        Ok(copy.map(|w| w.file.clone()))
    }

    async fn write_copy(
        &self,
        name: &str,
        table: &Arc<dyn TableProvider>,
        session: &dyn Session,
    ) -> datafusion::error::Result<Arc<dyn TableProvider>> {
        let n = self.sequence.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let path = self.scratch.0.join(format!("{n:05}-{}.parquet", file_safe(name)));
        write_table(table.as_ref(), &path, session).await?;
        let file = parquet_table(&path, table.schema())?;
        let mut written = self.written.lock().map_err(|_| DataFusionError::Internal("scratch table list poisoned".into()))?;
        written.insert(address(table), Written { table: Arc::downgrade(table), path, file: file.clone() });
        Ok(file)
    }
}

/// `plan` with every held table's scan reading its Parquet copy, and every variable
/// its value.
fn scannable(plan: LogicalPlan, copies: &Copies, session: &dyn Session) -> datafusion::error::Result<LogicalPlan> {
    let plan = plan.transform_up_with_subqueries(|node| {
        let node = match node {
            LogicalPlan::TableScan(scan) => match held_table(&scan).and_then(|t| copies.get(&address(&t))) {
                Some(copy) => Transformed::yes(LogicalPlan::TableScan(TableScan { source: provider_as_source(copy.clone()), ..scan })),
                None => Transformed::no(LogicalPlan::TableScan(scan)),
            },
            other => Transformed::no(other),
        };
        node.transform_data(|node| node.map_expressions(|e| e.transform_up(|e| variable_as_literal(e, session))))
    })?;
    Ok(plan.data)
}

/// Whether `plan` only reads a table this process holds, its columns perhaps renamed
/// or chosen.
fn reads_one_held_table(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::TableScan(scan) => scan.filters.is_empty() && held_table(scan).is_some(),
        LogicalPlan::Projection(p) => p.expr.iter().all(|e| matches!(e, Expr::Column(_))) && reads_one_held_table(&p.input),
        LogicalPlan::SubqueryAlias(a) => reads_one_held_table(&a.input),
        _ => false,
    }
}

/// An in-memory table's copy in the scratch directory.
#[derive(Debug)]
struct Written {
    table: Weak<dyn TableProvider>,
    path: PathBuf,
    file: Arc<dyn TableProvider>,
}

/// `@name` as its value, read from the session's variable provider.
fn variable_as_literal(expr: Expr, session: &dyn Session) -> datafusion::error::Result<Transformed<Expr>> {
    let Expr::ScalarVariable(_, names) = &expr else { return Ok(Transformed::no(expr)) };
    let var_type = if names.first().is_some_and(|n| n.starts_with("@@")) { VarType::System } else { VarType::UserDefined };
    let Some(provider) = session.execution_props().get_var_provider(var_type) else { return Ok(Transformed::no(expr)) };
    let value = provider.get_value(names.clone())?;
    Ok(Transformed::yes(Expr::Literal(value, None)))
}

fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

/// Writes the table's rows, partition after partition of a scan of it here, to one
/// Parquet file: the rows in the order a single-partition scan of the table gives them.
async fn write_table(table: &dyn TableProvider, path: &Path, session: &dyn Session) -> datafusion::error::Result<()> {
    super::write_parquet_file(table.scan(session, None, &[], None).await?, session, path).await
}

/// A table over one Parquet file, with exactly `schema` (the in-memory table's).
fn parquet_table(path: &Path, schema: datafusion::arrow::datatypes::SchemaRef) -> datafusion::error::Result<Arc<dyn TableProvider>> {
    let text = path.to_str().ok_or_else(|| DataFusionError::Plan(format!("{} is not UTF-8", path.display())))?;
    let url = ListingTableUrl::parse(text)?;
    let options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    let config = ListingTableConfig::new(url).with_listing_options(options).with_schema(schema);
    Ok(Arc::new(ListingTable::try_new(config)?))
}

/// The cluster's batches under the schema the client planned. The nodes plan the query
/// again and may mark a column nullable that the client's plan knows holds no nulls
/// (`CAST(1 AS BIGINT)` through a union); a `CREATE TABLE ... AS` checks its rows
/// against the client's schema. A null where the plan allows none is still an error.
#[derive(Debug)]
struct PlannedSchema {
    input: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl PlannedSchema {
    fn new(input: Arc<dyn ExecutionPlan>, schema: SchemaRef) -> PlannedSchema {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            input.output_partitioning().clone(),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        PlannedSchema { input, schema, properties: Arc::new(properties) }
    }
}

impl DisplayAs for PlannedSchema {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlannedSchema")
    }
}

impl ExecutionPlan for PlannedSchema {
    fn name(&self) -> &str {
        "PlannedSchema"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> datafusion::error::Result<TreeNodeRecursion>,
    ) -> datafusion::error::Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(self: Arc<Self>, children: Vec<Arc<dyn ExecutionPlan>>) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let [input] = children.as_slice() else { return Err(DataFusionError::Internal("PlannedSchema has one input".into())) };
        Ok(Arc::new(PlannedSchema::new(input.clone(), self.schema.clone())))
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> datafusion::error::Result<SendableRecordBatchStream> {
        use futures::StreamExt;
        let schema = self.schema.clone();
        let batches = self.input.execute(partition, context)?.map(move |batch| batch.and_then(|b| conform(b, &schema)));
        Ok(Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), batches)))
    }
}

/// `batch` as a batch of `schema`'s types: the same columns, cast where a nested
/// type's nullability differs.
fn conform(batch: RecordBatch, schema: &SchemaRef) -> datafusion::error::Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(column, field)| match column.data_type() == field.data_type() {
            true => Ok(column.clone()),
            false => datafusion::arrow::compute::cast(column, field.data_type()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    // A column is marked nullable only when it holds a null: the client plans the
    // query twice for a `CREATE TABLE ... AS` and the plans may disagree on whether a
    // column could be null; the rows themselves settle it.
    let fields: Vec<Field> =
        schema.fields().iter().zip(&columns).map(|(f, c)| f.as_ref().clone().with_nullable(c.null_count() > 0)).collect();
    Ok(RecordBatch::try_new(Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())), columns)?)
}
