//! Commands beside the build that need more than a line in main.rs.

pub mod eval;
pub mod query;
pub mod scale;
