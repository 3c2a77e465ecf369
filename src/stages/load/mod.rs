//! Load stage: find the input files, read them (plain or gzipped), and hand each one to
//! DataFusion as an all-text table with the physical line of every record.
//!
//! Rust does only what SQL cannot: byte-level checks (gzip, UTF-8, header), CSV
//! framing with line numbers, and re-joining the records the real file splits in two.
//! Typing, cleaning and rejecting happen in sql/etl.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float32Builder, Int32Builder, Int64Builder, RecordBatch, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use marquee_parse::frame;

pub mod sources;
pub mod spill;

pub use sources::{Alternatives, Copies, MOVIE_COLUMNS, Number, SOURCES, Source};

/// A problem with an input file that stops the build.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub problem: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.problem),
            None => write!(f, "{}: {}", self.file.display(), self.problem),
        }
    }
}

impl std::error::Error for InputError {}

fn input_error(file: &Path, line: Option<u64>, problem: impl Into<String>) -> InputError {
    InputError { file: file.to_path_buf(), line, problem: problem.into() }
}

/// A source file read into record batches.
#[derive(Debug)]
pub struct LoadedFile {
    pub source: &'static Source,
    pub path: PathBuf,
    /// Physical CSV records after the header.
    pub records: u64,
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    /// The text batches written to a file instead of held in `batches` (when loaded
    /// with a spill directory): the ETL reads them from there as it needs them.
    pub spilled: Option<spill::Spilled>,
    /// The records read typed (a source with [`Source::numbers`]), in
    /// [`numbers_schema`]; the others are in `batches`.
    pub numbers: Vec<RecordBatch>,
    /// Files of the same source that were present but not read (a lower-ranked stem).
    pub ignored: Vec<PathBuf>,
}

/// The file a source is read from, and the files of other stems it was preferred to.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub path: PathBuf,
    pub ignored: Vec<PathBuf>,
}

/// Finds the file for a source: `stem.csv` or `stem.csv.gz`, for the source's stems in
/// order of preference. Two candidates of one stem (`credits.csv` and
/// `credits.csv.gz`) are always an error, and so are two stems (`movies_metadata.csv`
/// and `movies_dataset.csv`) unless the source ranks them
/// ([`Alternatives::FirstWins`]): then the first stem present is read and the files of
/// the others are reported as ignored.
pub fn find_source_file(dir: &Path, source: &Source) -> Result<Option<Found>, InputError> {
    let present_of = |stem: &str| -> Vec<PathBuf> {
        [format!("{stem}.csv"), format!("{stem}.csv.gz")].into_iter().map(|name| dir.join(name)).filter(|path| path.is_file()).collect()
    };
    let by_stem: Vec<Vec<PathBuf>> = source.stems.iter().map(|stem| present_of(stem)).filter(|p| !p.is_empty()).collect();
    let Some(first) = by_stem.first() else { return Ok(None) };
    let ambiguous = match source.alternatives {
        Alternatives::Ambiguous => by_stem.concat(),
        Alternatives::FirstWins => first.clone(),
    };
    if let [one, _, ..] = ambiguous.as_slice() {
        let names: Vec<String> = ambiguous.iter().map(|p| file_name(p)).collect();
        return Err(input_error(one, None, format!("found {} for the {} input: keep only one of them", names.join(" and "), source.table)));
    }
    Ok(Some(Found { path: first[0].clone(), ignored: by_stem[1..].concat() }))
}

/// A path's file name, for messages and the manifest.
pub fn file_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

/// Reads every source present in `dir`, in parallel; a required one missing is an error.
pub fn load_all(dir: &Path) -> Result<Vec<LoadedFile>, InputError> {
    load_found(&find_inputs(dir)?)
}

/// The input file of every source that has one in `dir` (with the files it was
/// preferred to); an error when a required one is missing.
pub fn find_inputs(dir: &Path) -> Result<Vec<(&'static Source, Found)>, InputError> {
    if !dir.is_dir() {
        return Err(input_error(dir, None, "data directory does not exist"));
    }
    let mut found = Vec::new();
    for source in SOURCES {
        match find_source_file(dir, source)? {
            Some(file) => found.push((source, file)),
            None if source.required => {
                let names: Vec<String> = source.stems.iter().map(|s| format!("{s}.csv[.gz]")).collect();
                return Err(input_error(
                    &dir.join(format!("{}.csv", source.stems[0])),
                    None,
                    format!("missing required input file (looked for {})", names.join(" or ")),
                ));
            }
            None => {}
        }
    }
    Ok(found)
}

/// Reads the files `find_inputs` found, one thread each.
pub fn load_found(found: &[(&'static Source, Found)]) -> Result<Vec<LoadedFile>, InputError> {
    load_found_spilling(found, None)
}

/// [`load_found`], writing the text batches of every file into `spill` (a directory)
/// instead of holding them, when it is given.
pub fn load_found_spilling(found: &[(&'static Source, Found)], spill: Option<&Path>) -> Result<Vec<LoadedFile>, InputError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = found
            .iter()
            .map(|(source, file)| {
                scope.spawn(move || {
                    load_file_spilling(source, &file.path, spill).map(|loaded| LoadedFile { ignored: file.ignored.clone(), ..loaded })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("loader thread panicked")).collect()
    })
}

/// Reads one file into raw text batches.
pub fn load_file(source: &'static Source, path: &Path) -> Result<LoadedFile, InputError> {
    load_file_spilling(source, path, None)
}

/// [`load_file`], writing the text batches to `<spill>/<table>.arrow` as they are made
/// when `spill` is given: the raw text is then never held whole (the credits are
/// 0.9 GB of text at 4x the full data). A number source is held as before.
pub fn load_file_spilling(source: &'static Source, path: &Path, spill: Option<&Path>) -> Result<LoadedFile, InputError> {
    if !source.numbers.is_empty() {
        return load_in_pieces(source, path, PIECE_BYTES);
    }
    let file = std::fs::File::open(path).map_err(|e| input_error(path, None, format!("cannot read: {e}")))?;
    let gz = path.extension().is_some_and(|e| e == "gz");
    let spill = match spill {
        Some(dir) => Some(spill::Spill::create(&dir.join(format!("{}.arrow", source.table)), raw_schema(source))?),
        None => None,
    };
    match gz {
        true => parse_records(source, path, flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file)), gz, spill),
        false => parse_records(source, path, file, gz, spill),
    }
}

/// How much of a number source is read and framed at a time.
const PIECE_BYTES: usize = 16 << 20;

/// Reads a number source a piece at a time, so the file is never held whole (the full
/// MovieLens ratings.csv is 680 MB; its typed rows take 520). Until a quote appears,
/// every line break ends a record, so a piece that ends at one frames on its own (after
/// the header) exactly as it does inside the whole file. From the first piece with a
/// quote on, the rest of the file is framed as one piece, like any other file.
fn load_in_pieces(source: &'static Source, path: &Path, piece_bytes: usize) -> Result<LoadedFile, InputError> {
    let file = std::fs::File::open(path).map_err(|e| input_error(path, None, format!("cannot read: {e}")))?;
    let gz = path.extension().is_some_and(|e| e == "gz");
    let mut reader: Box<dyn Read> =
        if gz { Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file))) } else { Box::new(file) };
    let read_error = |e: std::io::Error| {
        if gz {
            input_error(path, None, format!("corrupt or truncated gzip data: {e}"))
        } else {
            input_error(path, None, format!("cannot read: {e}"))
        }
    };
    let schema = raw_schema(source);
    let mut writer = BatchWriter::new(schema.clone(), source.columns.len());
    let mut numbers = NumberWriter::new(source);
    let (mut pending, mut header, mut records) = (Vec::new(), None::<Vec<u8>>, 0u64);
    // The file line and byte that `pending` starts at.
    let (mut first_line, mut first_byte, mut done) = (1u64, 0usize, false);
    while !done {
        let wanted = pending.len() + piece_bytes;
        while pending.len() < wanted {
            let before = pending.len();
            reader.by_ref().take((wanted - before) as u64).read_to_end(&mut pending).map_err(read_error)?;
            if pending.len() == before {
                done = true;
                break;
            }
        }
        if !done && pending.contains(&b'"') {
            reader.read_to_end(&mut pending).map_err(read_error)?;
            done = true;
        }
        let end = if done { pending.len() } else { pending.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) };
        if end == 0 && !done {
            continue;
        }
        let piece = match &header {
            None => pending[..end].to_vec(),
            Some(header) => [header.as_slice(), &pending[..end]].concat(),
        };
        let skipped = piece.len() - end;
        // Lines and bytes of the piece, as the file numbers them.
        let line_shift = first_line as i64 - 1 - header.as_ref().map_or(0, |_| 1);
        let shift_line = |line: u64| (line as i64 + line_shift) as u64;
        if let Err(e) = std::str::from_utf8(&piece[skipped..]) {
            let at = e.valid_up_to();
            let line = first_line + piece[skipped..skipped + at].iter().filter(|&&b| b == b'\n').count() as u64;
            return Err(input_error(path, Some(line), format!("invalid UTF-8 at byte {}", first_byte + at)));
        }
        records += frame::frame_records(&piece, source.columns, source.rejoin_split_records, |mut record| {
            record.line = shift_line(record.line);
            if !numbers.try_push(&record) {
                writer.push(&record.fields, record.line, record.records as i64, record.problem.as_deref());
            }
        })
        .map_err(|e| input_error(path, e.line.map(shift_line), e.problem))?;
        if header.is_none() {
            let text = pending[..end].strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&pending[..end]);
            header = Some(text[..text.iter().position(|&b| b == b'\n').map_or(text.len(), |p| p + 1)].to_vec());
        }
        first_line += pending[..end].iter().filter(|&&b| b == b'\n').count() as u64;
        first_byte += end;
        pending.drain(..end);
    }
    writer.flush();
    numbers.flush();
    Ok(LoadedFile {
        source,
        path: path.to_path_buf(),
        records,
        schema,
        batches: writer.batches,
        spilled: None,
        numbers: numbers.batches,
        ignored: Vec::new(),
    })
}

/// A file's text as it is read: checked to be UTF-8, with the first problem kept, so
/// that the file is never held whole for the check.
struct CheckedText<R> {
    input: R,
    gz: bool,
    /// The end of a character cut off by the last read, not yet checked.
    cut: Vec<u8>,
    /// Bytes checked so far, and the line breaks among them.
    checked: usize,
    newlines: u64,
    /// The first read error (corrupt gzip data), as the build reports it.
    read_error: Option<String>,
    /// The first byte that is not UTF-8: its line and offset.
    invalid: Option<(u64, usize)>,
}

impl<R: Read> CheckedText<R> {
    fn new(input: R, gz: bool) -> Self {
        CheckedText { input, gz, cut: Vec::new(), checked: 0, newlines: 0, read_error: None, invalid: None }
    }

    fn read_failed(&mut self, e: std::io::Error) -> std::io::Error {
        let problem = match self.gz {
            true => format!("corrupt or truncated gzip data: {e}"),
            false => format!("cannot read: {e}"),
        };
        self.read_error.get_or_insert(problem);
        e
    }

    /// Reads and checks what the framing left unread, for a problem after its own
    /// error: text that is not UTF-8, then a read error even after that.
    fn read_to_end(&mut self) {
        let mut buf = vec![0u8; 64 << 10];
        let mut checking = true;
        while self.read_error.is_none() {
            let read = match checking {
                true => Read::read(self, &mut buf),
                false => self.input.read(&mut buf),
            };
            match read {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // The invalid byte is found; read on unchecked (`read` keeps refusing),
                // only for a read error.
                Err(_) if self.invalid.is_some() && checking => checking = false,
                Err(e) => {
                    self.read_failed(e);
                    return;
                }
            }
        }
    }

    /// The problem that stops the build, if reading found one: a read error first,
    /// then text that is not UTF-8, as when the whole file was read before framing.
    fn problem(&self, path: &Path) -> Option<InputError> {
        if let Some(problem) = &self.read_error {
            return Some(input_error(path, None, problem.clone()));
        }
        self.invalid.map(|(line, at)| input_error(path, Some(line), format!("invalid UTF-8 at byte {at}")))
    }
}

impl<R: Read> Read for CheckedText<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let not_utf8 = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8");
        if self.invalid.is_some() {
            return Err(not_utf8());
        }
        let n = loop {
            match self.input.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.read_failed(e)),
                Ok(n) => break n,
            }
        };
        if n == 0 {
            if !self.cut.is_empty() {
                // The text ends inside a character.
                self.invalid = Some((self.newlines + 1, self.checked));
                return Err(not_utf8());
            }
            return Ok(0);
        }
        // A character cut off by the last read is checked with the rest of it.
        let text: std::borrow::Cow<'_, [u8]> = match self.cut.is_empty() {
            true => std::borrow::Cow::Borrowed(&buf[..n]),
            false => {
                let mut joined = std::mem::take(&mut self.cut);
                joined.extend_from_slice(&buf[..n]);
                std::borrow::Cow::Owned(joined)
            }
        };
        let valid = match std::str::from_utf8(&text) {
            Ok(_) => text.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => {
                let at = e.valid_up_to();
                self.newlines += text[..at].iter().filter(|&&b| b == b'\n').count() as u64;
                self.invalid = Some((self.newlines + 1, self.checked + at));
                return Err(not_utf8());
            }
        };
        self.newlines += text[..valid].iter().filter(|&&b| b == b'\n').count() as u64;
        self.checked += valid;
        self.cut = text[valid..].to_vec();
        Ok(n)
    }
}

/// The raw table's schema: every declared column as text, then bookkeeping columns.
pub fn raw_schema(source: &Source) -> SchemaRef {
    let mut fields: Vec<Field> = source.columns.iter().map(|c| Field::new(*c, DataType::Utf8, true)).collect();
    fields.push(Field::new("_line", DataType::Int64, false));
    fields.push(Field::new("_records", DataType::Int64, false));
    fields.push(Field::new("_problem", DataType::Utf8, true));
    Arc::new(Schema::new(fields))
}

/// The typed table of a source with [`Source::numbers`]: each declared column as its
/// number type, then the record's line.
pub fn numbers_schema(source: &Source) -> SchemaRef {
    let mut fields: Vec<Field> = source
        .columns
        .iter()
        .zip(source.numbers)
        .map(|(c, n)| {
            let kind = match n {
                Number::Integer => DataType::Int32,
                Number::Decimal => DataType::Float32,
            };
            Field::new(*c, kind, false)
        })
        .collect();
    fields.push(Field::new("_line", DataType::Int32, false));
    Arc::new(Schema::new(fields))
}

/// A plainly written integer that fits 32 bits: what SQL's cast to text writes back
/// the same way, so a rejection detail made from the number repeats the file.
fn plain_integer(text: &str) -> Option<i32> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
    if !plain || text == "-0" {
        return None;
    }
    text.parse().ok()
}

/// A decimal written `digits.digit` (no sign, no exponent) whose value a 32-bit float
/// holds exactly, so widening it gives the same double as reading the text.
fn plain_decimal(text: &str) -> Option<f32> {
    let (whole, fraction) = text.split_once('.')?;
    let plain = plain_integer(whole).is_some_and(|w| w >= 0) && fraction.len() == 1 && fraction.as_bytes()[0].is_ascii_digit();
    let value: f32 = text.parse().ok().filter(|_| plain)?;
    (f64::from(value) == text.parse::<f64>().ok()?).then_some(value)
}

/// Typed rows of a number source, batch by batch.
struct NumberWriter {
    schema: SchemaRef,
    kinds: &'static [Number],
    integers: Vec<Int32Builder>,
    decimals: Vec<Float32Builder>,
    line: Int32Builder,
    rows: usize,
    batches: Vec<RecordBatch>,
}

impl NumberWriter {
    fn new(source: &'static Source) -> Self {
        NumberWriter {
            schema: numbers_schema(source),
            kinds: source.numbers,
            integers: source.numbers.iter().map(|_| Int32Builder::new()).collect(),
            decimals: source.numbers.iter().map(|_| Float32Builder::new()).collect(),
            line: Int32Builder::new(),
            rows: 0,
            batches: Vec::new(),
        }
    }

    /// Takes the record when it is whole and every field a plain number; otherwise
    /// leaves it to the text table (false).
    fn try_push(&mut self, record: &frame::Framed) -> bool {
        if self.kinds.is_empty() || record.problem.is_some() || record.records != 1 {
            return false;
        }
        let Ok(line) = i32::try_from(record.line) else { return false };
        let mut values = [0f64; 8];
        if self.kinds.len() > values.len() || record.fields.len() != self.kinds.len() {
            return false;
        }
        for ((kind, field), value) in self.kinds.iter().zip(&record.fields).zip(values.iter_mut()) {
            let Some(text) = field.as_deref() else { return false };
            let parsed = match kind {
                Number::Integer => plain_integer(text).map(f64::from),
                Number::Decimal => plain_decimal(text).map(f64::from),
            };
            let Some(parsed) = parsed else { return false };
            *value = parsed;
        }
        for (i, kind) in self.kinds.iter().enumerate() {
            match kind {
                Number::Integer => self.integers[i].append_value(values[i] as i32),
                Number::Decimal => self.decimals[i].append_value(values[i] as f32),
            }
        }
        self.line.append_value(line);
        self.rows += 1;
        if self.rows == BATCH_ROWS {
            self.flush();
        }
        true
    }

    fn flush(&mut self) {
        if self.rows == 0 {
            return;
        }
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (i, kind) in self.kinds.iter().enumerate() {
            arrays.push(match kind {
                Number::Integer => Arc::new(self.integers[i].finish()) as ArrayRef,
                Number::Decimal => Arc::new(self.decimals[i].finish()) as ArrayRef,
            });
        }
        arrays.push(Arc::new(self.line.finish()));
        self.batches.push(RecordBatch::try_new(self.schema.clone(), arrays).expect("number batch matches its schema"));
        self.rows = 0;
    }
}

/// Record batches of a few thousand rows keep memory steady and let DataFusion stream.
const BATCH_ROWS: usize = 8192;

struct BatchWriter {
    schema: SchemaRef,
    columns: Vec<StringBuilder>,
    line: Int64Builder,
    records: Int64Builder,
    problem: StringBuilder,
    rows: usize,
    batches: Vec<RecordBatch>,
    /// Where the batches go instead of `batches`, if anywhere.
    spill: Option<spill::Spill>,
}

impl BatchWriter {
    fn new(schema: SchemaRef, width: usize) -> Self {
        BatchWriter {
            schema,
            columns: (0..width).map(|_| StringBuilder::new()).collect(),
            line: Int64Builder::new(),
            records: Int64Builder::new(),
            problem: StringBuilder::new(),
            rows: 0,
            batches: Vec::new(),
            spill: None,
        }
    }

    /// Appends one row; `fields[i]` lands in declared column `i` (empty text is NULL).
    fn push(&mut self, fields: &[Option<String>], line: u64, records: i64, problem: Option<&str>) {
        for (i, builder) in self.columns.iter_mut().enumerate() {
            match fields.get(i).and_then(|f| f.as_deref()) {
                Some(text) if !text.is_empty() => builder.append_value(text),
                _ => builder.append_null(),
            }
        }
        self.line.append_value(line as i64);
        self.records.append_value(records);
        self.problem.append_option(problem);
        self.rows += 1;
        if self.rows == BATCH_ROWS {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.rows == 0 {
            return;
        }
        let mut arrays: Vec<ArrayRef> = self.columns.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
        arrays.push(Arc::new(self.line.finish()));
        arrays.push(Arc::new(self.records.finish()));
        arrays.push(Arc::new(self.problem.finish()));
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).expect("raw batch matches its schema");
        match &mut self.spill {
            Some(spill) => spill.write(&batch),
            None => self.batches.push(batch),
        }
        self.rows = 0;
    }

    /// The spill file finished, if the batches went to one.
    fn finish_spill(&mut self) -> Result<Option<spill::Spilled>, InputError> {
        self.spill.take().map(spill::Spill::finish).transpose()
    }
}

/// Frames a file's text as it is read into raw text batches (and typed ones for a
/// number source). Its problems are reported as when the whole file was read and
/// checked before framing: a read error first, then text that is not UTF-8, then what
/// the framing found.
fn parse_records(
    source: &'static Source,
    path: &Path,
    input: impl Read,
    gz: bool,
    spill: Option<spill::Spill>,
) -> Result<LoadedFile, InputError> {
    let schema = raw_schema(source);
    let mut writer = BatchWriter { spill, ..BatchWriter::new(schema.clone(), source.columns.len()) };
    let mut numbers = NumberWriter::new(source);
    let mut text = CheckedText::new(input, gz);
    let framed = frame::frame_reader(&mut text, source.columns, source.rejoin_split_records, |record| {
        if !numbers.try_push(&record) {
            writer.push(&record.fields, record.line, record.records as i64, record.problem.as_deref());
        }
    });
    if framed.is_err() {
        text.read_to_end();
    }
    if let Some(problem) = text.problem(path) {
        return Err(problem);
    }
    let records = framed.map_err(|e| input_error(path, e.line, e.problem))?;
    writer.flush();
    numbers.flush();
    let spilled = writer.finish_spill()?;
    Ok(LoadedFile {
        source,
        path: path.to_path_buf(),
        records,
        schema,
        batches: writer.batches,
        spilled,
        numbers: numbers.batches,
        ignored: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::AsArray;

    fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn tmp(name: &str) -> crate::foundation::scratch::ScratchDir {
        crate::foundation::scratch::ScratchDir::new("load", name)
    }

    fn credits() -> &'static Source {
        &SOURCES[1]
    }

    fn column(file: &LoadedFile, name: &str) -> Vec<Option<String>> {
        let idx = file.schema.index_of(name).unwrap();
        file.batches
            .iter()
            .flat_map(|b| b.column(idx).as_string::<i32>().iter().map(|v| v.map(str::to_owned)).collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn crlf_quoted_newlines_and_line_numbers() {
        let dir = tmp("crlf");
        let p = write(&dir, "credits.csv", b"cast,crew,id\r\n\"[{'name': \"\"A\"\"}]\",[],1\r\n\"x\ny\",[],2\r\n[],[],3\r\n");
        let f = load_file(credits(), &p).unwrap();
        assert_eq!(f.records, 3);
        assert_eq!(column(&f, "id"), vec![Some("1".into()), Some("2".into()), Some("3".into())]);
        assert_eq!(column(&f, "cast")[0].as_deref(), Some("[{'name': \"A\"}]"));
        assert_eq!(column(&f, "cast")[1].as_deref(), Some("x\ny"));
        let lines: Vec<i64> = f.batches[0].column(3).as_primitive::<datafusion::arrow::datatypes::Int64Type>().values().to_vec();
        assert_eq!(lines, vec![2, 3, 5]);
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let dir = tmp("order");
        let p = write(&dir, "credits.csv", b"id,crew,cast\n7,[],[x]\n");
        let f = load_file(credits(), &p).unwrap();
        assert_eq!(column(&f, "cast"), vec![Some("[x]".into())]);
        assert_eq!(column(&f, "id"), vec![Some("7".into())]);
    }

    #[test]
    fn bad_field_count_is_a_row_problem() {
        let dir = tmp("fields");
        let p = write(&dir, "credits.csv", b"cast,crew,id\n[],[],1\n[],2\n");
        let f = load_file(credits(), &p).unwrap();
        assert_eq!(column(&f, "_problem")[1].as_deref(), Some("record has 2 fields, the header has 3"));
    }

    #[test]
    fn split_record_is_rejoined() {
        let dir = tmp("split");
        let header = MOVIE_COLUMNS.join(",");
        let first = "False,,0,[],,82663,tt1,en,Midnight Man,Part one.";
        let second = " - Written by X,0.06,/p.jpg,[],[],1997-08-20,0,104.0,[],Released,,Midnight Man,False,6.0,1";
        let p = write(&dir, "movies_metadata.csv", format!("{header}\n{first}\n{second}\n").as_bytes());
        let f = load_file(&SOURCES[0], &p).unwrap();
        assert_eq!(f.records, 2);
        assert_eq!(f.batches[0].num_rows(), 1);
        assert_eq!(column(&f, "id"), vec![Some("82663".into())]);
        assert_eq!(column(&f, "overview"), vec![Some("Part one. - Written by X".into())]);
        assert_eq!(column(&f, "release_date"), vec![Some("1997-08-20".into())]);
        let records = f.batches[0].column(f.schema.index_of("_records").unwrap());
        assert_eq!(records.as_primitive::<datafusion::arrow::datatypes::Int64Type>().value(0), 2);
    }

    #[test]
    fn file_level_errors_name_file_and_line() {
        let dir = tmp("errors");
        let empty = write(&dir, "credits.csv", b"");
        assert_eq!(
            load_file(credits(), &empty).unwrap_err().to_string(),
            format!("{}:1: file is empty: expected a header line", empty.display())
        );
        let header = write(&dir, "credits.csv", b"cast,id\n[],1\n");
        let err = load_file(credits(), &header).unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.problem.contains("header lacks column(s) crew"), "{err}");
        let utf8 = write(&dir, "credits.csv", b"cast,crew,id\n[],[],1\n[],\xff[],2\n");
        let err = load_file(credits(), &utf8).unwrap_err();
        assert_eq!((err.line, err.problem.as_str()), (Some(3), "invalid UTF-8 at byte 24"));
        let gz = write(&dir, "credits.csv.gz", &gzip(b"cast,crew,id\n[],[],1\n")[..20]);
        let err = load_file(credits(), &gz).unwrap_err();
        assert!(err.problem.starts_with("corrupt or truncated gzip"), "{err}");
        let missing = tmp("missing");
        let err = load_all(&missing).unwrap_err();
        assert!(err.problem.contains("missing required input file"), "{err}");
    }

    #[test]
    fn a_file_loaded_into_a_spill_file_fails_as_held_and_leaves_nothing() {
        let dir = tmp("spill-errors");
        let spill = tmp("spill-dir");
        for text in [&b"cast,crew,id\n[],[],1\n[],\xff[],2\n"[..], b"cast,id\n[],1\n", b""] {
            let p = write(&dir, "credits.csv", text);
            let held = load_file(credits(), &p).unwrap_err();
            assert_eq!(load_file_spilling(credits(), &p, Some(&spill)).unwrap_err(), held);
            assert_eq!(std::fs::read_dir(&*spill).unwrap().count(), 0, "no spill file left for {text:?}");
        }
        let p = write(&dir, "credits.csv", b"cast,crew,id\n[],[],1\n\"[],[],2\n");
        let held = load_file(credits(), &p).unwrap();
        let spilled = load_file_spilling(credits(), &p, Some(&spill)).unwrap();
        assert_eq!(spilled.records, held.records);
        let file = spilled.spilled.as_ref().unwrap();
        assert_eq!(file.path, spill.join("credits.arrow"));
        assert_eq!(file.batches.iter().map(|b| b.rows).sum::<usize>(), held.batches.iter().map(|b| b.num_rows()).sum::<usize>());
        drop(spilled);
        assert_eq!(std::fs::read_dir(&*spill).unwrap().count(), 0, "removed with the loaded file");
    }

    #[test]
    fn two_files_for_one_input_are_an_error() {
        let dir = tmp("both");
        write(&dir, "credits.csv", b"cast,crew,id\n[],[],1\n");
        assert_eq!(find_source_file(&dir, credits()).unwrap().map(|f| f.path), Some(dir.join("credits.csv")));
        write(&dir, "credits.csv.gz", &gzip(b"cast,crew,id\n[],[],1\n"));
        let err = find_source_file(&dir, credits()).unwrap_err();
        assert!(err.problem.contains("found credits.csv and credits.csv.gz for the credits input"), "{err}");
        write(&dir, "movies_metadata.csv", b"x");
        write(&dir, "movies_dataset.csv", b"x");
        let err = load_all(&dir).unwrap_err();
        assert!(err.problem.contains("movies_metadata.csv and movies_dataset.csv"), "{err}");
    }

    #[test]
    fn full_ratings_win_over_the_sample_but_one_stem_twice_is_an_error() {
        let dir = tmp("ratings");
        let ratings = SOURCES.iter().find(|s| s.table == "ratings").unwrap();
        write(&dir, "ratings_small.csv", b"userId,movieId,rating,timestamp\n");
        let found = find_source_file(&dir, ratings).unwrap().unwrap();
        assert_eq!((found.path, found.ignored), (dir.join("ratings_small.csv"), vec![]));
        write(&dir, "ratings.csv.gz", &gzip(b"userId,movieId,rating,timestamp\n"));
        let found = find_source_file(&dir, ratings).unwrap().unwrap();
        assert_eq!((found.path, found.ignored), (dir.join("ratings.csv.gz"), vec![dir.join("ratings_small.csv")]));
        write(&dir, "ratings.csv", b"userId,movieId,rating,timestamp\n");
        let err = find_source_file(&dir, ratings).unwrap_err();
        assert!(err.problem.contains("found ratings.csv and ratings.csv.gz for the ratings input"), "{err}");
    }

    #[test]
    fn a_repeated_header_column_is_an_error() {
        let dir = tmp("repeat");
        let p = write(&dir, "credits.csv", b"cast,crew,id,cast\n[],[],1,[]\n");
        let err = load_file(credits(), &p).unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.problem.contains("header repeats column(s) cast (columns 1, 4)"), "{err}");
        // A column marquee does not read may repeat.
        let p = write(&dir, "credits.csv", b"cast,x,crew,id,x\n[],a,[],1,b\n");
        assert_eq!(load_file(credits(), &p).unwrap().records, 1);
    }

    #[test]
    fn a_stray_quote_costs_one_line_not_the_lines_it_swallows() {
        let dir = tmp("stray");
        // Line 3 opens a quote that runs into lines 4 and 5; line 6 closes nothing.
        let text = "cast,crew,id\n[],[],1\n\"[],[],2\n[],[],3\n[],[],4\n[],[],5\n";
        let p = write(&dir, "credits.csv", text.as_bytes());
        let f = load_file(credits(), &p).unwrap();
        assert_eq!(f.records, 5, "one record per physical line");
        let ids = column(&f, "id");
        let problems = column(&f, "_problem");
        let lines: Vec<i64> = f.batches[0].column(3).as_primitive::<datafusion::arrow::datatypes::Int64Type>().values().to_vec();
        assert_eq!(lines, vec![2, 3, 4, 5, 6]);
        assert_eq!(ids[0].as_deref(), Some("1"));
        assert!(problems[1].as_deref().is_some_and(|p| p.contains("unbalanced quote")), "{problems:?}");
        assert_eq!(&ids[2..], &[Some("3".into()), Some("4".into()), Some("5".into())]);
        assert!(problems[2..].iter().all(Option::is_none));
        // A quoted newline in a well-formed record stays one record.
        let p = write(&dir, "credits.csv", b"cast,crew,id\n\"a\nb\",[],1\n[],[],2\n");
        assert_eq!(load_file(credits(), &p).unwrap().records, 2);
    }

    #[test]
    fn control_characters_are_removed_from_fields() {
        let dir = tmp("controls");
        let p = write(&dir, "credits.csv", b"cast,crew,id\n\"a\x00b\x1b[31mc\x07\td\",[],1\x7f\n");
        let f = load_file(credits(), &p).unwrap();
        assert_eq!(column(&f, "cast")[0].as_deref(), Some("ab[31mc\td"));
        assert_eq!(column(&f, "id")[0].as_deref(), Some("1"));
        // C1 controls are Windows-1252 read as Latin-1: mapped back, undefined ones dropped.
        assert_eq!(frame::without_controls("Lietuvi\u{9a}kai\u{85}\u{81}\u{9d}\n".into()), "Lietuviškai…\n");
        assert_eq!(frame::without_controls("¿Qué?\u{a0}°\t".into()), "¿Qué?\u{a0}°\t");
    }

    #[test]
    fn gzip_input_reads_like_plain() {
        let dir = tmp("gz");
        let p = write(&dir, "credits.csv.gz", &gzip(b"cast,crew,id\n[],[],1\n"));
        let f = load_file(credits(), &p).unwrap();
        assert_eq!(column(&f, "id"), vec![Some("1".into())]);
    }

    fn ratings() -> &'static Source {
        SOURCES.iter().find(|s| s.table == "ratings").unwrap()
    }

    #[test]
    fn plain_numbers_are_read_typed_and_the_rest_as_text() {
        let dir = tmp("numbers");
        let p = write(&dir, "ratings.csv", b"userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,031,2.5,1\nx,3,3.0,7\n2,5,3.3,9\n\"3\",4,7.5,10\n4,6,4.0\n5,7,0.5,-20\n");
        let f = load_file(ratings(), &p).unwrap();
        assert_eq!(f.records, 7);
        let typed: Vec<(i32, i32, f32, i32, i32)> = f
            .numbers
            .iter()
            .flat_map(|b| {
                let int = |i: usize| b.column(i).as_primitive::<datafusion::arrow::datatypes::Int32Type>().values().to_vec();
                let rating = b.column(2).as_primitive::<datafusion::arrow::datatypes::Float32Type>().values().to_vec();
                let (users, movies, times, lines) = (int(0), int(1), int(3), int(4));
                (0..b.num_rows()).map(move |r| (users[r], movies[r], rating[r], times[r], lines[r])).collect::<Vec<_>>()
            })
            .collect();
        // A quoted field is still a plain number once framed; a leading zero, a letter,
        // a rating a float cannot hold and a missing field are left as text.
        assert_eq!(typed, [(1, 31, 2.5, 1260759144, 2), (3, 4, 7.5, 10, 6), (5, 7, 0.5, -20, 8)]);
        assert_eq!(column(&f, "movieId"), [Some("031".into()), Some("3".into()), Some("5".into()), Some("6".into())]);
        let lines: Vec<i64> = f
            .batches
            .iter()
            .flat_map(|b| b.column(4).as_primitive::<datafusion::arrow::datatypes::Int64Type>().values().to_vec())
            .collect();
        assert_eq!(lines, [3, 4, 5, 7]);
    }

    #[test]
    fn a_typed_number_written_back_by_sql_repeats_the_file() {
        use datafusion::arrow::array::{Float64Array, Int32Array};
        use datafusion::arrow::compute::cast;
        let integers = ["0", "7", "-12", "2147483647", "176275"];
        let parsed: Vec<i32> = integers.iter().map(|t| plain_integer(t).unwrap()).collect();
        let written = cast(&Int32Array::from(parsed), &DataType::Utf8).unwrap();
        assert_eq!(written.as_string::<i32>().iter().flatten().collect::<Vec<_>>(), integers);
        let decimals = ["0.5", "4.0", "7.5", "10.0", "0.0", "12.5"];
        let widened: Vec<f64> = decimals.iter().map(|t| f64::from(plain_decimal(t).unwrap())).collect();
        let written = cast(&Float64Array::from(widened), &DataType::Utf8).unwrap();
        assert_eq!(written.as_string::<i32>().iter().flatten().collect::<Vec<_>>(), decimals);
        for text in ["01", "-0", "+1", "1e3", " 1", "2147483648", "", "3.3", "3.50", ".5", "5.", "-1.5", "NaN", "inf"] {
            assert!(plain_integer(text).is_none() || plain_decimal(text).is_none(), "{text:?}");
            assert!(plain_decimal(text).is_none(), "{text:?} is not a plain decimal");
        }
        for text in ["01", "-0", "+1", "1e3", " 1", "2147483648", "", "1.0"] {
            assert!(plain_integer(text).is_none(), "{text:?} is not a plain integer");
        }
    }

    /// Every row of a loaded file as text, typed rows written back, in line order.
    fn rows_of(f: &LoadedFile) -> Vec<(i64, Vec<Option<String>>, Option<String>)> {
        use datafusion::arrow::util::display::array_value_to_string;
        let mut rows = Vec::new();
        for b in &f.numbers {
            for r in 0..b.num_rows() {
                let fields = (0..4).map(|c| Some(array_value_to_string(b.column(c), r).unwrap())).collect();
                rows.push((array_value_to_string(b.column(4), r).unwrap().parse().unwrap(), fields, None));
            }
        }
        for b in &f.batches {
            for r in 0..b.num_rows() {
                let fields = (0..4).map(|c| b.column(c).is_valid(r).then(|| b.column(c).as_string::<i32>().value(r).to_owned())).collect();
                let line = b.column(4).as_primitive::<datafusion::arrow::datatypes::Int64Type>().value(r);
                let problem = b.column(6).is_valid(r).then(|| b.column(6).as_string::<i32>().value(r).to_owned());
                rows.push((line, fields, problem));
            }
        }
        rows.sort_by_key(|r| r.0);
        rows
    }

    #[test]
    fn a_number_source_read_in_pieces_is_read_as_a_whole() {
        let dir = tmp("pieces");
        let text: &[u8] = b"\xEF\xBB\xBFuserId,movieId,rating,timestamp\r\n1,31,2.5,1260759144\r\n1,32,x,1\r\n2,5\r\n\n3,4,7.5,10\r\n4,\"6\",4.0,1\r\n5,\"7\n,8\",1.0,2\r\n6,1,3.5,3\r\n";
        let p = write(&dir, "ratings.csv", text);
        let whole = parse_records(ratings(), &p, text, false, None).unwrap();
        for piece in [1, 5, 13, 40, 1 << 20] {
            let f = load_in_pieces(ratings(), &p, piece).unwrap();
            assert_eq!(f.records, whole.records, "piece of {piece} bytes");
            assert_eq!(rows_of(&f), rows_of(&whole), "piece of {piece} bytes");
        }
        let gz = write(&dir, "ratings.csv.gz", &gzip(text));
        assert_eq!(rows_of(&load_in_pieces(ratings(), &gz, 7).unwrap()), rows_of(&whole));
        // Errors name the file's own line and byte, whichever piece they are in.
        let bad = write(&dir, "bad.csv", b"userId,movieId,rating,timestamp\n1,2,3.0,4\n1,3,3.0,5\n1,\xff,3.0,6\n");
        let err = load_in_pieces(ratings(), &bad, 4).unwrap_err();
        assert_eq!((err.line, err.problem.as_str()), (Some(4), "invalid UTF-8 at byte 54"));
        let whole_err = load_file(credits(), &write(&dir, "credits.csv", b"cast,crew,id\n[],[],1\n[],[],2\n[],\xff,3\n")).unwrap_err();
        assert_eq!(whole_err.line, Some(4));
    }

    /// Hands out its text `size` bytes at a time.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn text_read_in_pieces_is_checked_as_a_whole() {
        let dir = tmp("utf8-pieces");
        let p = dir.join("credits.csv");
        let cases: &[&[u8]] = &[
            "cast,crew,id\n[é],[\u{1f3ac}],1\n".as_bytes(),
            b"cast,crew,id\n[],[],1\n[],\xff[],2\n",
            b"\xEF\xBB\xBFcast,crew,id\n\xe2\x82,[],1\n",
            b"cast,crew,id\n[],[],1\n\xf0\x9f\x8e",
            // A bad header comes before the bad byte: the bad byte is still what is reported.
            b"cast,id\n[],1\n\n\xc3(\n",
        ];
        for text in cases {
            let expected = match std::str::from_utf8(text) {
                Ok(_) => None,
                Err(e) => {
                    let at = e.valid_up_to();
                    Some((Some(text[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1), format!("invalid UTF-8 at byte {at}")))
                }
            };
            for size in [1, 2, 3, 5, 1 << 16] {
                let read = parse_records(credits(), &p, Trickle(text, size), false, None);
                match &expected {
                    None => assert_eq!(read.unwrap().records, 1, "{text:?} in reads of {size}"),
                    Some(error) => {
                        let err = read.unwrap_err();
                        assert_eq!(&(err.line, err.problem), error, "{text:?} in reads of {size}");
                    }
                }
            }
        }
        // Corrupt gzip data is reported before the header the good part of it shows.
        let zipped = gzip(b"cast,id\n[],1\n".repeat(20_000).as_slice());
        let gz = write(&dir, "credits.csv.gz", &zipped[..zipped.len() / 2]);
        let err = load_file(credits(), &gz).unwrap_err();
        assert!(err.problem.starts_with("corrupt or truncated gzip"), "{err}");
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }
}
