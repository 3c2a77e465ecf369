//! A raw table read from the loader's spill file (`load::spill`) on each scan instead
//! of held in memory: the credits' text is read three times by credits.sql (outcomes,
//! crew, cast), and held it was most of the ETL's peak (0.9 GB at 4x the full data).
//!
//! It stands in for the `MemTable` the batches would have made, to the planner too:
//! the same partitions (batch `i` in partition `i % partitions`, as `super::spread`
//! deals them), the same statistics (recorded from the batches before they were
//! written), the same projection handling. So the plans, and the output, are the ones
//! the table in memory gave.

use std::fmt;
use std::fs::File;
use std::future::Future;
use std::io::BufReader;
use std::pin::Pin;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::ipc::reader::FileReader;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::stats::Precision;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{ColumnStatistics, Constraints, DataFusionError, Result, Statistics, project_schema};
use datafusion::datasource::TableType;
use datafusion::datasource::source::{DataSource, DataSourceExec};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::projection::ProjectionExprs;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::coop::cooperative;
use datafusion::physical_plan::execution_plan::SchedulingType;
use datafusion::physical_plan::projection::{all_alias_free_columns, new_projections_for_columns};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayFormatType, ExecutionPlan, Partitioning, SendableRecordBatchStream};

use crate::stages::load::spill::{BatchStats, Spilled};

/// A spill file as a table of `partitions` partitions.
#[derive(Debug)]
pub struct SpilledTable {
    file: Arc<Spilled>,
    partitions: usize,
    constraints: Constraints,
}

impl SpilledTable {
    pub fn new(file: Spilled, partitions: usize) -> SpilledTable {
        SpilledTable { file: Arc::new(file), partitions: partitions.max(1), constraints: Constraints::default() }
    }
}

impl TableProvider for SpilledTable {
    fn schema(&self) -> SchemaRef {
        self.file.schema.clone()
    }

    fn constraints(&self) -> Option<&Constraints> {
        Some(&self.constraints)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    // The trait's `async fn` written out as the `async_trait` it is declared with makes
    // it (the crate is not a dependency of marquee's own).
    fn scan<'table, 'state, 'projection, 'filters, 'future>(
        &'table self,
        _state: &'state dyn Session,
        projection: Option<&'projection Vec<usize>>,
        _filters: &'filters [Expr],
        _limit: Option<usize>,
    ) -> Pin<Box<dyn Future<Output = Result<Arc<dyn ExecutionPlan>>> + Send + 'future>>
    where
        'table: 'future,
        'state: 'future,
        'projection: 'future,
        'filters: 'future,
        Self: 'future,
    {
        let source = SpilledSource::try_new(self.file.clone(), self.partitions, projection.cloned());
        Box::pin(async move { Ok(DataSourceExec::from_data_source(source?) as Arc<dyn ExecutionPlan>) })
    }
}

/// The scan of a [`SpilledTable`].
#[derive(Debug, Clone)]
struct SpilledSource {
    file: Arc<Spilled>,
    partitions: usize,
    projection: Option<Vec<usize>>,
    projected_schema: SchemaRef,
    fetch: Option<usize>,
}

impl SpilledSource {
    fn try_new(file: Arc<Spilled>, partitions: usize, projection: Option<Vec<usize>>) -> Result<SpilledSource> {
        let projected_schema = project_schema(&file.schema, projection.as_ref())?;
        Ok(SpilledSource { file, partitions, projection, projected_schema, fetch: None })
    }

    /// The batch numbers of one partition, in order.
    fn batches_of(&self, partition: usize) -> impl Iterator<Item = usize> + use<> {
        (partition..self.file.batches.len()).step_by(self.partitions)
    }

    fn columns(&self) -> Vec<usize> {
        self.projection.clone().unwrap_or_else(|| (0..self.file.schema.fields().len()).collect())
    }

    /// What `compute_record_batch_statistics` says of these batches held in memory.
    fn statistics_of<'a>(&self, batches: impl Iterator<Item = &'a BatchStats>) -> Statistics {
        let columns = self.columns();
        let (mut rows, mut bytes, mut nulls) = (0, 0, vec![0; columns.len()]);
        for batch in batches {
            rows += batch.rows;
            bytes += columns.iter().map(|&c| batch.bytes[c]).sum::<usize>();
            for (n, &c) in nulls.iter_mut().zip(&columns) {
                *n += batch.nulls[c];
            }
        }
        let column_statistics = nulls
            .into_iter()
            .map(|null_count| ColumnStatistics { null_count: Precision::Exact(null_count), ..ColumnStatistics::new_unknown() })
            .collect();
        Statistics { num_rows: Precision::Exact(rows), total_byte_size: Precision::Exact(bytes), column_statistics }
    }
}

/// Reads batches `numbers` of the spill file, each projected to `columns`, stopping
/// after `fetch` rows.
fn read_batches(
    file: Arc<Spilled>,
    numbers: Vec<usize>,
    columns: Option<Vec<usize>>,
    fetch: Option<usize>,
) -> Result<impl Iterator<Item = Result<RecordBatch>>> {
    let open = File::open(&file.path).map_err(|e| DataFusionError::External(format!("{}: {e}", file.path.display()).into()))?;
    let mut reader = FileReader::try_new(BufReader::new(open), None)?;
    let mut left = fetch.unwrap_or(usize::MAX);
    let mut numbers = numbers.into_iter();
    Ok(std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let number = numbers.next()?;
        let read = (|| {
            reader.set_index(number)?;
            let batch = reader.next().ok_or_else(|| DataFusionError::Internal(format!("{}: no batch {number}", file.path.display())))??;
            let batch = match &columns {
                Some(columns) => batch.project(columns)?,
                None => batch,
            };
            let batch = if batch.num_rows() > left { batch.slice(0, left) } else { batch };
            left -= batch.num_rows();
            Ok(batch)
        })();
        Some(read)
    }))
}

impl DataSource for SpilledSource {
    fn open(&self, partition: usize, _context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let batches = read_batches(self.file.clone(), self.batches_of(partition).collect(), self.projection.clone(), self.fetch)?;
        let stream = RecordBatchStreamAdapter::new(self.projected_schema.clone(), futures::stream::iter(batches));
        Ok(Box::pin(cooperative(stream)))
    }

    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "spilled: partitions={}, file={}", self.partitions, self.file.path.display())
    }

    fn output_partitioning(&self) -> Partitioning {
        Partitioning::UnknownPartitioning(self.partitions)
    }

    fn eq_properties(&self) -> EquivalenceProperties {
        EquivalenceProperties::new(self.projected_schema.clone())
    }

    fn scheduling_type(&self) -> SchedulingType {
        SchedulingType::Cooperative
    }

    fn partition_statistics(&self, partition: Option<usize>) -> Result<Arc<Statistics>> {
        let statistics = match partition {
            Some(p) if p >= self.partitions => Statistics::new_unknown(&self.projected_schema),
            Some(p) => self.statistics_of(self.batches_of(p).map(|b| &self.file.batches[b])),
            None => self.statistics_of(self.file.batches.iter()),
        };
        Ok(Arc::new(statistics))
    }

    fn with_fetch(&self, limit: Option<usize>) -> Option<Arc<dyn DataSource>> {
        Some(Arc::new(SpilledSource { fetch: limit, ..self.clone() }))
    }

    fn fetch(&self) -> Option<usize> {
        self.fetch
    }

    /// As an in-memory scan does: a projection of plain columns becomes the scan's own.
    fn try_swapping_with_projection(&self, projection: &ProjectionExprs) -> Result<Option<Arc<dyn DataSource>>> {
        let exprs: Vec<_> = projection.iter().cloned().collect();
        if !all_alias_free_columns(&exprs) {
            return Ok(None);
        }
        let columns = new_projections_for_columns(&exprs, &self.columns());
        let source = SpilledSource::try_new(self.file.clone(), self.partitions, Some(columns))?;
        Ok(Some(Arc::new(SpilledSource { fetch: self.fetch, ..source })))
    }

    fn apply_expressions(&self, _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::engine;
    use crate::stages::load::{self, SOURCES};
    use datafusion::physical_plan::{StatisticsArgs, StatisticsContext};
    use datafusion::prelude::SessionContext;

    /// What the planner is told of a plan's rows (of one partition, or all).
    fn statistics(plan: &Arc<dyn ExecutionPlan>, partition: Option<usize>) -> Arc<Statistics> {
        StatisticsContext::new().compute(plan.as_ref(), &StatisticsArgs::new().with_partition(partition)).unwrap()
    }

    fn credits() -> &'static load::Source {
        SOURCES.iter().find(|s| s.table == "credits").unwrap()
    }

    /// The sample's credits as raw tables: held in memory, and read from a spill file.
    fn both_ways(spill: &std::path::Path) -> (SessionContext, SessionContext) {
        let path = crate::foundation::scratch::source_dir().join("data/sample/credits.csv");
        let mut held = load::load_file(credits(), &path).unwrap();
        let mut spilled = load::load_file_spilling(credits(), &path, Some(spill)).unwrap();
        assert!(spilled.batches.is_empty() && spilled.spilled.is_some(), "the text went to the file");
        let (in_memory, from_file) = (engine::new_context(), engine::new_context());
        super::super::register_source_raw(&in_memory, credits(), Some(&mut held)).unwrap();
        super::super::register_source_raw(&from_file, credits(), Some(&mut spilled)).unwrap();
        (in_memory, from_file)
    }

    #[tokio::test]
    async fn a_spilled_table_reads_and_plans_as_the_table_in_memory() {
        let dir = crate::foundation::scratch::ScratchDir::new("etl-spilled", "same");
        let (in_memory, from_file) = both_ways(&dir);
        let queries = [
            "SELECT * FROM raw_credits",
            "SELECT _line, id FROM raw_credits",
            "SELECT count(*) FROM raw_credits",
            "SELECT id, \"cast\" FROM raw_credits WHERE _line > 3 LIMIT 2",
        ];
        for sql in queries {
            let held = in_memory.sql(sql).await.unwrap();
            let read = from_file.sql(sql).await.unwrap();
            let plan = |df: datafusion::dataframe::DataFrame| async move { df.create_physical_plan().await.unwrap() };
            let (held_plan, read_plan) = (plan(held.clone()).await, plan(read.clone()).await);
            assert_eq!(statistics(&read_plan, None), statistics(&held_plan, None), "{sql}");
            let partitions = |plan: &Arc<dyn ExecutionPlan>| plan.properties().partitioning.partition_count();
            assert_eq!(partitions(&read_plan), partitions(&held_plan), "{sql}");
            assert_eq!(read.collect_partitioned().await.unwrap(), held.collect_partitioned().await.unwrap(), "{sql}: same batches");
        }
        // The scan's own statistics, projected and per partition, are the in-memory ones.
        let scan = |ctx: &SessionContext| {
            let ctx = ctx.clone();
            async move {
                let provider = ctx.table_provider("raw_credits").await.unwrap();
                provider.scan(&ctx.state(), Some(&vec![2, 0, 4]), &[], None).await.unwrap()
            }
        };
        let (held, read) = (scan(&in_memory).await, scan(&from_file).await);
        for partition in [None, Some(0), Some(1)] {
            assert_eq!(statistics(&read, partition), statistics(&held, partition), "{partition:?}");
        }
    }

    #[tokio::test]
    async fn the_spill_file_goes_with_its_table() {
        let dir = crate::foundation::scratch::ScratchDir::new("etl-spilled", "dropped");
        let (_, from_file) = both_ways(&dir);
        let file = dir.join("credits.arrow");
        assert!(file.is_file());
        from_file.deregister_table("raw_credits").unwrap();
        assert!(!file.exists(), "removed once nothing reads it");
    }
}
