//! Reusing one source's ETL results across rebuilds. The credits ETL is most of the
//! ETL's time (parsing 190 MB of Python literals), yet a rebuild after one movie's
//! popularity changed gives it the same input: the same credits file, and the same
//! kept movie ids, which is all of `movies` credits.sql reads. So the tables a source's
//! scripts leave (the clean tables and its outcomes table) are kept in the cache beside
//! the output, `<out>.cache/etl-sources/<source>/`, with the figures the accounting
//! takes from the loader (records read), under a key made of exactly what the scripts
//! read:
//!
//! - the program (its SQL, UDFs and settings are compiled in) and the cores the plans
//!   ran on;
//! - the source's file: its name and bytes;
//! - for scripts that read `movies`, the kept movie ids after movies.sql (the scripts
//!   may read nothing else of it: [`plan`] checks every table each script reads).
//!
//! The file part of the key is known before loading, the movie ids only once movies.sql
//! ran: a file whose entry has the same file part is not loaded up front, and is loaded
//! when the ids say the entry is not for this build after all. Each table is an Arrow
//! IPC file (the exact schema and record batches, partition by partition, as the
//! scripts left them), its size and fingerprint recorded in `entry.json`; an entry is
//! made under a partial name with its record written last and renamed into place, and
//! a file that is not the one recorded is reported and the source made again.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail, ensure};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Int64Type, SchemaRef};
use datafusion::arrow::ipc::reader::FileReader;
use datafusion::arrow::ipc::writer::FileWriter;
use datafusion::catalog::TableProvider;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionContext, cast, col};
use serde::{Deserialize, Serialize};

use crate::foundation::engine::{self, scripts};
use crate::foundation::fingerprint::{self, Fingerprint, Fingerprinter};
use crate::foundation::output::{replace_dir_atomically, write_atomically};
use crate::foundation::tables;
use crate::foundation::timing::trace;
use crate::stages::load::{self, Found, LoadedFile, Source};

/// The cache's directory of entries, one directory per source.
const DIR: &str = "etl-sources";
/// An entry's record, written last.
const ENTRY: &str = "entry.json";

/// One source's kept ETL results.
#[derive(Serialize, Deserialize)]
struct Entry {
    /// What the file part of the key says ([`file_key`]): whether to load the file.
    file_key: String,
    /// The whole key ([`key`]): whether the entry is this build's.
    key: String,
    /// The loader's count of the file's physical records.
    records: u64,
    tables: Vec<TableFile>,
}

/// One table of an entry: `<name>.arrow`.
#[derive(Serialize, Deserialize)]
struct TableFile {
    name: String,
    /// Record batches in each partition of the table, in order.
    partitions: Vec<usize>,
    bytes: u64,
    fingerprint: String,
}

/// What a source's scripts read besides their own raw tables and what they made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    OwnFile,
    OwnFileAndMovieIds,
}

/// What a source's scripts read that its key must cover, and the tables they leave
/// (made and not dropped): the entry's tables. An error names a table the key would
/// not cover.
pub fn plan(source: &Source) -> Result<(Reads, Vec<String>)> {
    let ctx = SessionContext::new();
    let own: BTreeSet<String> = [format!("raw_{}", source.table), format!("raw_{}_numbers", source.table)].into();
    let (mut created, mut dropped) = (BTreeSet::new(), BTreeSet::new());
    let mut movie_ids = false;
    for script in source.etl {
        let effects = scripts::effects(&ctx, script)?;
        for table in &effects.reads {
            if own.contains(table) || created.contains(table) {
                continue;
            }
            if table == tables::MOVIES && reads_only_movie_ids(script) {
                movie_ids = true;
                continue;
            }
            bail!("sql/{} reads {table}, which the reuse of the {} ETL does not fingerprint", script.path, source.table);
        }
        created.extend(effects.creates);
        dropped.extend(effects.drops);
    }
    let left = created.difference(&dropped).cloned().collect();
    Ok((if movie_ids { Reads::OwnFileAndMovieIds } else { Reads::OwnFile }, left))
}

/// Whether every mention of `movies` in the script is `(SELECT id FROM movies)`: the
/// ids are all the key fingerprints of that table.
fn reads_only_movie_ids(script: &scripts::Script) -> bool {
    scripts::statements(script.text).iter().all(|statement| {
        let text = statement.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let word = |at: usize, len: usize| {
            let outside = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            outside(text[..at].chars().next_back()) && outside(text[at + len..].chars().next())
        };
        let mentions = text.match_indices(tables::MOVIES).filter(|(at, m)| word(*at, m.len())).count();
        mentions == text.matches("(select id from movies)").count()
    })
}

/// The part of a source's key known before loading: the program, the plans' cores,
/// the source and its file's name and bytes.
fn file_key(program: Fingerprint, source: &Source, path: &Path, file: Fingerprint) -> Fingerprint {
    let mut print = Fingerprinter::new("etl source file");
    print.add_fingerprint(program).add_u64(engine::cores() as u64).add_str(source.table);
    print.add_str(&load::file_name(path)).add_fingerprint(file).finish()
}

fn key(file_key: Fingerprint, movie_ids: Option<Fingerprint>) -> Fingerprint {
    let mut print = Fingerprinter::new("etl source");
    print.add_fingerprint(file_key);
    if let Some(ids) = movie_ids {
        print.add_str("kept movie ids").add_fingerprint(ids);
    }
    print.finish()
}

fn table_fingerprint(bytes: &[u8]) -> Fingerprint {
    Fingerprinter::new("etl source table").add_bytes(bytes).finish()
}

/// The ids of `movies` in order: what credits.sql and keywords.sql read of it.
async fn movie_ids(ctx: &SessionContext) -> Result<Fingerprint> {
    let ids = ctx.table(tables::MOVIES).await?.select(vec![cast(col("id"), DataType::Int64).alias("id")])?;
    let batches = ids.sort(vec![col("id").sort(true, true)])?.collect().await?;
    let mut print = Fingerprinter::new("kept movie ids");
    for batch in &batches {
        let ids = batch.column(0).as_primitive::<Int64Type>();
        for row in 0..ids.len() {
            match ids.is_valid(row) {
                true => print.add_u64(1).add_u64(ids.value(row) as u64),
                false => print.add_u64(0),
            };
        }
    }
    Ok(print.finish())
}

/// Where one source stands.
enum State {
    /// Not decided: its scripts have not come up yet.
    Pending,
    Reused,
    /// Made by this build, to be kept under this key.
    Made(Fingerprint),
}

/// A source whose ETL results may be reused.
struct Candidate {
    source: &'static Source,
    found: Found,
    reads: Reads,
    tables: Vec<String>,
    file_key: Fingerprint,
    /// The entry kept for the same file and program, read but not yet checked against
    /// the movie ids nor its tables: the file is then not loaded until that is known.
    entry: Option<Entry>,
    state: State,
}

/// The per-source ETL reuse of one build.
pub struct SourceReuse {
    /// `<out>.cache/etl-sources`; none when reuse is off.
    dir: Option<PathBuf>,
    candidates: Vec<Candidate>,
    movie_ids: Option<Fingerprint>,
    /// The sources whose results were reused, in run order.
    pub reused: Vec<&'static str>,
    /// Why a kept entry was not trusted, if one was not.
    pub distrusted: Option<String>,
    /// Where a file loaded late writes its text batches (`load::load_file_spilling`).
    spill: Option<PathBuf>,
}

impl SourceReuse {
    /// No reuse: every source is loaded and cleaned.
    pub fn off() -> SourceReuse {
        SourceReuse { dir: None, candidates: Vec::new(), movie_ids: None, reused: Vec::new(), distrusted: None, spill: None }
    }

    /// A file loaded late writes its text batches into `dir`, as the others were loaded.
    pub fn spilling_into(self, dir: &Path) -> SourceReuse {
        SourceReuse { spill: Some(dir.to_path_buf()), ..self }
    }

    /// The reuse of the entries in the cache directory `cache`, for the sources of
    /// `inputs` that allow it. Fingerprints their files (a file that cannot be read is
    /// left to the loader to report) and reads their entries' records.
    pub fn open(cache: &Path, inputs: &[(&'static Source, Found)]) -> SourceReuse {
        let Ok(program) = fingerprint::program_fingerprint() else { return SourceReuse::off() };
        let dir = cache.join(DIR);
        let mut reuse = SourceReuse { dir: Some(dir.clone()), ..SourceReuse::off() };
        for (source, found) in inputs.iter().filter(|(s, _)| s.reuse_etl) {
            // A script reading what the key does not cover is a bug tests/reuse.rs and
            // the unit tests catch; the source is then simply made every time.
            let (Ok((reads, tables)), Ok(file)) = (plan(source), fingerprint::file_fingerprint(&found.path)) else { continue };
            let file_key = file_key(program, source, &found.path, file);
            let entry = match read_entry(&dir.join(source.table)) {
                Ok(Some(entry)) if entry.file_key == file_key.to_string() => Some(entry),
                Ok(_) => None,
                Err(e) => {
                    reuse.distrusted.get_or_insert(format!("{e:#}; the {} ETL runs again", source.table));
                    None
                }
            };
            reuse.candidates.push(Candidate { source, found: found.clone(), reads, tables, file_key, entry, state: State::Pending });
        }
        reuse
    }

    /// The inputs to load now: all but the files whose entry may be reused.
    pub fn to_load(&self, inputs: &[(&'static Source, Found)]) -> Vec<(&'static Source, Found)> {
        let deferred = |s: &Source| self.candidates.iter().any(|c| c.source.table == s.table && c.entry.is_some());
        inputs.iter().filter(|(s, _)| !deferred(s)).cloned().collect()
    }

    /// Before `source`'s scripts run: registers its kept tables and returns true when
    /// its entry is this build's and intact; otherwise makes sure its file is loaded
    /// and registered as `raw_<table>` (pushed onto `loaded`), and returns false.
    pub async fn before_scripts(&mut self, ctx: &SessionContext, source: &'static Source, loaded: &mut Vec<LoadedFile>) -> Result<bool> {
        let Some(dir) = self.dir.clone() else { return Ok(false) };
        let Some(at) = self.candidates.iter().position(|c| c.source.table == source.table) else { return Ok(false) };
        let mut clock = std::time::Instant::now();
        let key = self.key_of(ctx, at).await?;
        let candidate = &mut self.candidates[at];
        if let Some(entry) = candidate.entry.take().filter(|e| e.key == key.to_string()) {
            let entry_dir = dir.join(source.table);
            match read_tables(&entry_dir, &entry, &candidate.tables) {
                Ok(tables) => {
                    register_kept(ctx, tables)?;
                    loaded.push(candidate.loaded_as_kept(entry.records));
                    candidate.state = State::Reused;
                    self.reused.push(source.table);
                    trace(&format!("etl: {} reused from {}", source.table, entry_dir.display()), &mut clock);
                    return Ok(true);
                }
                Err(e) => {
                    self.distrusted.get_or_insert(format!("{}: {e:#}; the {} ETL runs again", entry_dir.display(), source.table));
                }
            }
        }
        candidate.state = State::Made(key);
        if !loaded.iter().any(|f| f.source.table == source.table) {
            candidate.load_now(ctx, loaded, self.spill.as_deref())?;
        }
        Ok(false)
    }

    /// The whole key of candidate `at`: the kept movie ids are fingerprinted once, for
    /// the first source that reads them.
    async fn key_of(&mut self, ctx: &SessionContext, at: usize) -> Result<Fingerprint> {
        let ids = match self.candidates[at].reads {
            Reads::OwnFile => None,
            Reads::OwnFileAndMovieIds => Some(match self.movie_ids {
                Some(ids) => ids,
                None => *self.movie_ids.insert(movie_ids(ctx).await.context("fingerprinting the kept movie ids")?),
            }),
        };
        Ok(key(self.candidates[at].file_key, ids))
    }

    /// Keeps the results of every source made by this build, for the next one. A
    /// failure only costs the next build time: it is a warning.
    pub async fn keep_made(&self, ctx: &SessionContext, loaded: &[LoadedFile]) {
        let Some(dir) = &self.dir else { return };
        let mut clock = std::time::Instant::now();
        for candidate in &self.candidates {
            let State::Made(key) = candidate.state else { continue };
            let Some(file) = loaded.iter().find(|f| f.source.table == candidate.source.table) else { continue };
            if let Err(e) = keep(ctx, dir, candidate, key, file.records).await {
                eprintln!("marquee: warning: could not keep the {} ETL results for the next build: {e:#}", candidate.source.table);
            }
            trace(&format!("etl: {} kept for the next build", candidate.source.table), &mut clock);
        }
    }
}

impl Candidate {
    /// What the accounting takes from the loader for a file whose results are reused:
    /// its name, its record count as kept, the files it was preferred to.
    fn loaded_as_kept(&self, records: u64) -> LoadedFile {
        LoadedFile {
            source: self.source,
            path: self.found.path.clone(),
            records,
            schema: load::raw_schema(self.source),
            batches: Vec::new(),
            spilled: None,
            numbers: Vec::new(),
            ignored: self.found.ignored.clone(),
        }
    }

    /// Loads the file held back for an entry that was not this build's after all, onto
    /// `loaded`, and registers it as the source's raw tables.
    fn load_now(&self, ctx: &SessionContext, loaded: &mut Vec<LoadedFile>, spill: Option<&Path>) -> Result<()> {
        let file = load::load_file_spilling(self.source, &self.found.path, spill)?;
        loaded.push(LoadedFile { ignored: self.found.ignored.clone(), ..file });
        super::register_source_raw(ctx, self.source, loaded.last_mut())
    }
}

/// Registers the kept tables as the scripts would have left them: in memory, the same
/// partitions and batches.
fn register_kept(ctx: &SessionContext, tables: Vec<KeptTable>) -> Result<()> {
    for (name, schema, partitions) in tables {
        ctx.deregister_table(name.as_str())?;
        ctx.register_table(name.as_str(), Arc::new(MemTable::try_new(schema, partitions)?))?;
    }
    Ok(())
}

/// The record of the entry in `dir`: none when there is none, an error when it cannot
/// be read.
fn read_entry(dir: &Path) -> Result<Option<Entry>> {
    let path = dir.join(ENTRY);
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    serde_json::from_slice(&text).map(Some).with_context(|| format!("reading {}", path.display()))
}

/// A kept table: its name, schema and record batches, partition by partition.
type KeptTable = (String, SchemaRef, Vec<Vec<RecordBatch>>);

/// The entry's tables, each checked to be the file recorded and read whole.
fn read_tables(dir: &Path, entry: &Entry, expected: &[String]) -> Result<Vec<KeptTable>> {
    let names: Vec<&String> = entry.tables.iter().map(|t| &t.name).collect();
    ensure!(names.iter().copied().eq(expected.iter()), "{ENTRY} lists the tables {names:?}, the scripts leave {expected:?}");
    entry.tables.iter().map(|table| read_table(dir, table)).collect()
}

fn read_table(dir: &Path, table: &TableFile) -> Result<KeptTable> {
    let path = dir.join(format!("{}.arrow", table.name));
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let intact = bytes.len() as u64 == table.bytes && table_fingerprint(&bytes).to_string() == table.fingerprint;
    ensure!(intact, "{} is not the file {ENTRY} records", path.display());
    let reader = FileReader::try_new(Cursor::new(bytes), None).with_context(|| format!("reading {}", path.display()))?;
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().with_context(|| format!("reading {}", path.display()))?;
    ensure!(batches.len() == table.partitions.iter().sum::<usize>(), "{} has {} record batches", path.display(), batches.len());
    let mut batches = batches.into_iter();
    let partitions = table.partitions.iter().map(|&n| batches.by_ref().take(n).collect()).collect();
    Ok((table.name.clone(), schema, partitions))
}

/// Writes a candidate's entry under a partial name, its record last, and renames it
/// into place, replacing the one there.
async fn keep(ctx: &SessionContext, dir: &Path, candidate: &Candidate, key: Fingerprint, records: u64) -> Result<()> {
    replace_dir_atomically(&dir.join(candidate.source.table), async |partial: &Path| {
        let mut tables = Vec::new();
        for name in &candidate.tables {
            let (schema, partitions) = partitions_of(ctx, name).await?;
            let path = partial.join(format!("{name}.arrow"));
            write_table(&path, &schema, &partitions).with_context(|| format!("writing {}", path.display()))?;
            let (bytes, fingerprint) = file_table_fingerprint(&path).with_context(|| format!("reading {}", path.display()))?;
            tables.push(TableFile {
                name: name.clone(),
                partitions: partitions.iter().map(Vec::len).collect(),
                bytes,
                fingerprint: fingerprint.to_string(),
            });
        }
        let entry = Entry { file_key: candidate.file_key.to_string(), key: key.to_string(), records, tables };
        write_atomically(&partial.join(ENTRY), |w| Ok(serde_json::to_writer(w, &entry)?))
    })
    .await
}

/// Writes a table's batches into an Arrow IPC file as they come, not into memory
/// first (the cast table is 0.1 GB of it at 4x the full data).
fn write_table(path: &Path, schema: &SchemaRef, partitions: &[Vec<RecordBatch>]) -> Result<()> {
    let mut writer = FileWriter::try_new(std::io::BufWriter::new(std::fs::File::create(path)?), schema)?;
    for batch in partitions.iter().flatten() {
        writer.write(batch)?;
    }
    writer.finish()?;
    use std::io::Write;
    writer.into_inner()?.flush()?;
    Ok(())
}

/// The size of a written table file and its [`table_fingerprint`], read back piece by
/// piece: the same fingerprint as of the file's bytes held whole.
fn file_table_fingerprint(path: &Path) -> Result<(u64, Fingerprint)> {
    let bytes = std::fs::metadata(path)?.len();
    let mut print = Fingerprinter::new("etl source table");
    // What `add_bytes` hashes: the length, then the bytes (streamed).
    print.add_u64(bytes);
    std::io::copy(&mut std::io::BufReader::new(std::fs::File::open(path)?), &mut print)?;
    Ok((bytes, print.finish()))
}

/// A table's schema and record batches, partition by partition, as registered: a
/// table made by `CREATE TABLE` is its batches, anything else is run.
async fn partitions_of(ctx: &SessionContext, name: &str) -> Result<(SchemaRef, Vec<Vec<RecordBatch>>)> {
    let provider = ctx.table_provider(name).await?;
    if let Some(memory) = provider.downcast_ref::<MemTable>() {
        let mut partitions = Vec::new();
        for partition in &memory.batches {
            partitions.push(partition.read().await.clone());
        }
        return Ok((memory.schema(), partitions));
    }
    Ok((provider.schema(), ctx.table(name).await?.collect_partitioned().await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::load::SOURCES;

    #[test]
    fn reused_sources_read_only_their_file_and_the_movie_ids() {
        let reused: Vec<&str> = SOURCES.iter().filter(|s| s.reuse_etl).map(|s| s.table).collect();
        assert!(reused.contains(&"credits"), "{reused:?}");
        for source in SOURCES.iter().filter(|s| s.reuse_etl) {
            let (reads, tables) = plan(source).unwrap();
            // links.sql reads its file alone; the others join the kept movie ids.
            let expected = if source.table == "links" { Reads::OwnFile } else { Reads::OwnFileAndMovieIds };
            assert_eq!(reads, expected, "{}", source.table);
            assert!(tables.iter().any(|t| t == source.outcomes), "{} keeps its outcomes: {tables:?}", source.table);
        }
        let credits = SOURCES.iter().find(|s| s.table == "credits").unwrap();
        assert_eq!(plan(credits).unwrap().1, ["cast", "credit_outcomes", "crew"]);
        // The movies source reads nothing but its file, yet it makes the ids.
        let movies = SOURCES.iter().find(|s| s.table == "movies").unwrap();
        assert!(!movies.reuse_etl);
    }

    #[test]
    fn a_table_file_is_fingerprinted_as_its_bytes_held_whole() {
        use datafusion::arrow::array::{Int64Array, StringArray};
        use datafusion::arrow::datatypes::{Field, Schema};
        let dir = crate::foundation::scratch::ScratchDir::new("etl-reuse", "fingerprint");
        let schema: SchemaRef =
            Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false), Field::new("text", DataType::Utf8, true)]));
        let batch = |from: i64| {
            let ids = Int64Array::from_iter_values(from..from + 5000);
            let text = StringArray::from_iter((from..from + 5000).map(|i| (i % 3 != 0).then(|| "x".repeat((i % 97) as usize))));
            RecordBatch::try_new(schema.clone(), vec![Arc::new(ids), Arc::new(text)]).unwrap()
        };
        let partitions = vec![vec![batch(0), batch(5000)], vec![], vec![batch(10000)]];
        let path = dir.join("t.arrow");
        write_table(&path, &schema, &partitions).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 64 << 10, "more than one read of the copy: {}", bytes.len());
        assert_eq!(file_table_fingerprint(&path).unwrap(), (bytes.len() as u64, table_fingerprint(&bytes)));
        // The bytes are those a writer into memory makes.
        let mut held = Vec::new();
        let mut writer = FileWriter::try_new(&mut held, &schema).unwrap();
        partitions.iter().flatten().for_each(|b| writer.write(b).unwrap());
        writer.finish().unwrap();
        drop(writer);
        assert_eq!(held, bytes);
    }

    #[test]
    fn any_other_read_of_movies_is_not_covered() {
        let script = |text: &'static str| scripts::Script { path: "etl/test.sql", text };
        assert!(reads_only_movie_ids(&script("SELECT * FROM raw_x x LEFT JOIN (SELECT id\n FROM movies) m ON m.id = x.id")));
        assert!(!reads_only_movie_ids(&script("SELECT * FROM raw_x x LEFT JOIN (SELECT id, title FROM movies) m ON m.id = x.id")));
        assert!(!reads_only_movie_ids(&script("SELECT * FROM movies")));
        assert!(reads_only_movie_ids(&script("SELECT * FROM kept_movies_x -- movies")));
        let source =
            Source { etl: &[crate::sql!("etl/links.sql")], table: "keywords", ..*SOURCES.iter().find(|s| s.table == "keywords").unwrap() };
        let err = plan(&source).unwrap_err().to_string();
        assert!(err.contains("reads raw_links"), "{err}");
    }
}
