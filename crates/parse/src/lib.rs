//! The byte-level parsers under marquee's loader, kept free of DataFusion so the
//! fuzz targets depend on them directly: [`frame`] cuts a CSV file into records with
//! the physical line each starts on; [`pylit`] reads the Python literals in the
//! Kaggle cells.

pub mod frame;
pub mod pylit;
