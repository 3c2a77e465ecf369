//! marquee: The Movies Dataset, answered ahead of time.
//!
//! The tree is the pipeline, and dependencies point down only (a test checks it):
//!
//! - [`commands`] and `main.rs`: the command line, on top;
//! - [`pipeline`]: runs the stages in order and refuses builds that should not publish;
//! - [`stages`]: one folder per stage, in the order they run: [`stages::load`],
//!   [`stages::etl`], [`stages::recommend`], [`stages::questions`], [`stages::bundle`],
//!   [`stages::site`], [`stages::publish`]; a stage may use those before it;
//! - [`foundation`]: what every stage stands on (engine, tables, cells, formatting,
//!   published contracts, output writer, timing);
//! - [`settings`]: every tunable, at the bottom;
//! - the `marquee-parse` crate (crates/parse): CSV framing and Python literals, no
//!   DataFusion.

pub mod commands;
pub mod foundation;
pub mod pipeline;
pub mod settings;
pub mod stages;
