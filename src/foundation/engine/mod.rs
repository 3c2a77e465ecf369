//! The DataFusion session every stage runs in, the SQL scripts of sql/ and the UDFs
//! they call.

use datafusion::prelude::{SessionConfig, SessionContext};

pub mod scripts;
pub mod udf;

/// A session set up the way every marquee stage expects.
pub fn new_context() -> SessionContext {
    let config = SessionConfig::new()
        .with_target_partitions(cores())
        // Plain Utf8 everywhere keeps UDF inputs and Parquet output uniform.
        .set_bool("datafusion.sql_parser.map_string_types_to_utf8view", false)
        .set_bool("datafusion.execution.parquet.schema_force_view_types", false);
    let ctx = SessionContext::new_with_config(config);
    udf::register_all(&ctx);
    ctx
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
