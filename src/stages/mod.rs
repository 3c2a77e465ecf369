//! The build's stages, in the order they run. Each may use the stages before it and
//! [`crate::foundation`], never a stage after it.

pub mod bundle;
pub mod etl;
pub mod load;
pub mod publish;
pub mod questions;
pub mod recommend;
pub mod site;
