//! What every stage stands on: the DataFusion engine (session, scripts, UDFs), the
//! table names SQL and Rust share, Arrow cells as values and their order, number
//! formatting, the published contracts, the output writer and the stopwatch.
//! Nothing here knows about any stage.

pub mod base_url;
pub mod cells;
pub mod engine;
pub mod fingerprint;
pub mod format;
pub mod output;
pub mod parts;
pub mod published;
pub mod reuse;
pub mod scratch;
pub mod tables;
pub mod timing;
