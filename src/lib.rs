//! marquee: The Movies Dataset, answered ahead of time.
//!
//! Stages, one module each: [`load`] (files to raw tables), [`etl`] (sql/etl),
//! [`recommend`] (TF-IDF top-5 for every movie), [`queries`] (sql/queries, every
//! question for every input), [`render`] (the static site), [`bundle`] (the JSON
//! lookup bundle), [`publish`] (staging and atomic swap); [`pipeline`] runs them.

pub mod bundle;
pub mod etl;
pub mod evaluate;
pub mod frame;
pub mod load;
pub mod normalize;
pub mod pipeline;
pub mod publish;
pub mod pylit;
pub mod queries;
pub mod questions;
pub mod recommend;
pub mod render;
pub mod scale;
pub mod sql;
pub mod stages;
pub mod udf;
