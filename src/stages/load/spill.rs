//! A file's raw text batches written to disk as they are framed, instead of held: an
//! Arrow IPC file the ETL reads back batch by batch on each of its reads
//! (`stages::etl::spilled`). What a table held in memory tells the planner (rows, bytes
//! and nulls of every column of every batch) is recorded as each batch is written, so
//! the ETL's plans, and with them its output, are the ones the batches in memory gave.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::ipc::writer::FileWriter;

use super::{InputError, input_error};

/// What the planner is told of one batch, as an in-memory table computes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchStats {
    pub rows: usize,
    /// `get_array_memory_size` of each column, as held before it was written.
    pub bytes: Vec<usize>,
    pub nulls: Vec<usize>,
}

impl BatchStats {
    fn of(batch: &RecordBatch) -> BatchStats {
        BatchStats {
            rows: batch.num_rows(),
            bytes: batch.columns().iter().map(|c| c.get_array_memory_size()).collect(),
            nulls: batch.columns().iter().map(|c| c.logical_nulls().map(|n| n.null_count()).unwrap_or_default()).collect(),
        }
    }
}

/// A spill file being written.
pub struct Spill {
    path: PathBuf,
    writer: FileWriter<BufWriter<File>>,
    schema: SchemaRef,
    batches: Vec<BatchStats>,
    /// The first write error: reported by [`Spill::finish`].
    error: Option<String>,
}

impl Spill {
    pub fn create(path: &Path, schema: SchemaRef) -> Result<Spill, InputError> {
        let failed = |e: &dyn std::fmt::Display| input_error(path, None, format!("cannot write the loader's spill file: {e}"));
        let file = File::create(path).map_err(|e| failed(&e))?;
        let writer = FileWriter::try_new(BufWriter::new(file), &schema).map_err(|e| failed(&e))?;
        Ok(Spill { path: path.to_path_buf(), writer, schema, batches: Vec::new(), error: None })
    }

    pub fn write(&mut self, batch: &RecordBatch) {
        if self.error.is_some() {
            return;
        }
        match self.writer.write(batch) {
            Ok(()) => self.batches.push(BatchStats::of(batch)),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// The written file, or the first error writing it.
    pub fn finish(mut self) -> Result<Spilled, InputError> {
        let finished = match self.error.take() {
            Some(e) => Err(e),
            None => self.writer.finish().map_err(|e| e.to_string()),
        };
        if let Err(e) = finished {
            return Err(input_error(&self.path, None, format!("cannot write the loader's spill file: {e}")));
        }
        let path = std::mem::take(&mut self.path);
        Ok(Spilled { path, schema: self.schema.clone(), batches: std::mem::take(&mut self.batches) })
    }
}

impl Drop for Spill {
    /// A spill cut short (the file failed to frame) is not left on disk.
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A finished spill file: its batches, in the order they were framed. The file is
/// removed when this is dropped (the raw table that reads it is dropped).
#[derive(Debug)]
pub struct Spilled {
    pub path: PathBuf,
    pub schema: SchemaRef,
    pub batches: Vec<BatchStats>,
}

impl Drop for Spilled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A directory for the spill files of one build, removed with what is left in it when
/// this is dropped, however the build ends.
pub struct SpillDir(PathBuf);

impl SpillDir {
    /// `dir`, made empty.
    pub fn create(dir: &Path) -> std::io::Result<SpillDir> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)?;
        Ok(SpillDir(dir.to_path_buf()))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
