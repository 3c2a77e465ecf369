//! CSV framing for the loader: records with the physical line they start on, the
//! header checked against the declared columns, and records the real movies file
//! breaks in two joined back together.

use std::io::Read;

/// A file-level problem: the line it is on (when known) and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameError {
    pub line: Option<u64>,
    pub problem: String,
}

/// One framed record, its fields in declared-column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Framed {
    pub line: u64,
    /// Physical records it was made of: 2 for a rejoined split record.
    pub records: u8,
    pub fields: Vec<Option<String>>,
    /// Why the record cannot be used as it is (wrong field count).
    pub problem: Option<String>,
}

/// Frames `bytes` (UTF-8 CSV with a header) and hands every record to `emit`;
/// returns how many physical records followed the header.
///
/// A malformed record that spans several physical lines (a stray quote opens a field
/// that swallows the next lines) is framed again line by line, so each of its lines is
/// kept or rejected on its own and none disappears inside another.
pub fn frame_records(bytes: &[u8], columns: &[&str], rejoin_split_records: bool, emit: impl FnMut(Framed)) -> Result<u64, FrameError> {
    frame_reader(bytes, columns, rejoin_split_records, emit)
}

/// [`frame_records`] over text read piece by piece, with the same records, lines and
/// problems: only the record being framed and what the CSV reader reads ahead are
/// held, not the whole file (the credits are 760 MB of text at 4x the full data). A
/// read error of `input` stops the framing as unreadable CSV; the caller, who knows
/// why its reader failed, says so.
pub fn frame_reader<R: Read>(
    input: R,
    columns: &[&str],
    rejoin_split_records: bool,
    mut emit: impl FnMut(Framed),
) -> Result<u64, FrameError> {
    let unreadable = |e: std::io::Error| FrameError { line: None, problem: format!("unreadable CSV: {e}") };
    let mut window = Window::new(input);
    window.strip_bom().map_err(unreadable)?;
    if !window.has_non_whitespace().map_err(unreadable)? {
        return Err(FrameError { line: Some(1), problem: "file is empty: expected a header line".into() });
    }
    let mut records = RecordSource::new(window);
    let Some(header) = records.next()? else {
        return Err(FrameError { line: Some(1), problem: "file is empty: expected a header line".into() });
    };
    let positions = column_positions(columns, &header.fields)?;
    let width = header.fields.len();
    let mut count = 0u64;
    while let Some(record) = records.next()? {
        if record.fields.len() != width && records.spans_lines(&record) {
            records.reframe_by_line(record);
            continue;
        }
        count += 1;
        if record.fields.len() == width {
            emit(Framed { line: record.line, records: 1, fields: select(&record.fields, &positions), problem: None });
            continue;
        }
        if rejoin_split_records
            && record.fields.len() < width
            && let Some(next) = records.next()?
        {
            if record.fields.len() + next.fields.len() - 1 == width {
                count += 1;
                let joined = rejoin(record.fields, next.fields);
                emit(Framed { line: record.line, records: 2, fields: select(&joined, &positions), problem: None });
                continue;
            }
            records.put_back(next);
        }
        let problem = field_count_problem(&record, width);
        emit(Framed { line: record.line, records: 1, fields: select(&record.fields, &positions), problem: Some(problem) });
    }
    Ok(count)
}

fn field_count_problem(record: &RawRecord, width: usize) -> String {
    let hint = if record.reframed { " (an unbalanced quote: read as one line)" } else { "" };
    format!("record has {} fields, the header has {}{hint}", record.fields.len(), width)
}

/// Cleans control characters out of a field: they have no meaning in a title or a name
/// and must not reach a page or a terminal. C0 controls other than tab and line breaks,
/// and DEL, are removed. C1 controls (U+0080-U+009F) are what Windows-1252 text read as
/// Latin-1 looks like (the real movies file has `Lietuvi\x9akai`): each becomes its
/// Windows-1252 character (`š`), and the five that code page leaves undefined are
/// removed. Text without any is returned as it is.
pub fn without_controls(text: String) -> String {
    if !text.bytes().any(may_start_control) {
        return text;
    }
    text.chars().filter_map(cleaned).collect()
}

/// A record's fields as owned text, control characters cleaned out.
fn cleaned_fields(record: &csv::StringRecord) -> Vec<String> {
    record.iter().map(|f| without_controls(f.to_owned())).collect()
}

/// A byte scan first, so the 190 MB of credits are not decoded char by char: C0 and DEL
/// are single bytes, and every C1 control is encoded as 0xC2 then 0x80-0x9F (0xC2 also
/// leads U+00A0-U+00BF, which `cleaned` keeps).
fn may_start_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f || b == 0xc2
}

/// Windows-1252's characters for bytes 0x80-0x9F ('\0' where it defines none).
const WINDOWS_1252_HIGH: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', //
    '\0', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

fn cleaned(c: char) -> Option<char> {
    match c {
        '\t' | '\n' | '\r' => Some(c),
        '\u{80}'..='\u{9f}' => Some(WINDOWS_1252_HIGH[c as usize - 0x80]).filter(|&w| w != '\0'),
        _ if c.is_control() => None,
        _ => Some(c),
    }
}

/// The text being framed, from the oldest byte still needed on: what the CSV reader
/// reads goes through it, and the bytes of the records being framed stay in it for the
/// line numbers, the line-break check and the reframing. Offsets count from the start
/// of the text (after a byte order mark), as in the whole file.
struct Window<R> {
    input: R,
    /// The text from offset `base` on, as far as it has been read.
    bytes: Vec<u8>,
    base: usize,
    /// How far the CSV reader has been handed the text.
    served: usize,
    ended: bool,
}

/// How much is read from the input at a time.
const READ_BYTES: usize = 64 << 10;
/// How many bytes no longer needed the window lets pile up before dropping them (so
/// the rest is not moved down after every record).
const DROP_BYTES: usize = 1 << 20;

impl<R: Read> Window<R> {
    fn new(input: R) -> Self {
        Window { input, bytes: Vec::new(), base: 0, served: 0, ended: false }
    }

    fn end(&self) -> usize {
        self.base + self.bytes.len()
    }

    /// Reads more of the input; false at its end.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.ended {
            return Ok(false);
        }
        let old = self.bytes.len();
        self.bytes.resize(old + READ_BYTES, 0);
        let read = loop {
            match self.input.read(&mut self.bytes[old..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                self.bytes.truncate(old);
                return Err(e);
            }
        };
        self.bytes.truncate(old + n);
        self.ended = n == 0;
        Ok(n > 0)
    }

    /// The byte at `offset`, reading up to it; None past the end of the text.
    fn byte(&mut self, offset: usize) -> std::io::Result<Option<u8>> {
        while offset >= self.end() {
            if !self.fill()? {
                return Ok(None);
            }
        }
        Ok(Some(self.bytes[offset - self.base]))
    }

    /// Text already read (a record's span ends where the CSV reader stands).
    fn slice(&self, range: std::ops::Range<usize>) -> &[u8] {
        &self.bytes[range.start - self.base..range.end - self.base]
    }

    /// Drops a UTF-8 byte order mark at the start.
    fn strip_bom(&mut self) -> std::io::Result<()> {
        while self.bytes.len() < 3 && self.fill()? {}
        if self.bytes.starts_with(b"\xEF\xBB\xBF") {
            self.bytes.drain(..3);
        }
        Ok(())
    }

    /// Whether the text holds anything but ASCII white space (read up to the first
    /// byte that is not).
    fn has_non_whitespace(&mut self) -> std::io::Result<bool> {
        let mut offset = 0;
        while let Some(b) = self.byte(offset)? {
            if !b.is_ascii_whitespace() {
                return Ok(true);
            }
            offset += 1;
        }
        Ok(false)
    }

    /// Forgets the text before `offset`: nothing before it is looked at again.
    fn forget_before(&mut self, offset: usize) {
        let offset = offset.min(self.served);
        if offset >= self.base + DROP_BYTES {
            self.bytes.drain(..offset - self.base);
            self.base = offset;
        }
    }
}

impl<R: Read> Read for Window<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.served == self.end() && !self.fill()? {
            return Ok(0);
        }
        let ahead = &self.bytes[self.served - self.base..];
        let n = ahead.len().min(buf.len());
        buf[..n].copy_from_slice(&ahead[..n]);
        self.served += n;
        Ok(n)
    }
}

/// CSV records in file order, with their physical lines and byte spans; records put
/// back or split into lines are served first.
struct RecordSource<R: Read> {
    reader: csv::Reader<Window<R>>,
    lines: LineCounter,
    queue: std::collections::VecDeque<RawRecord>,
}

impl<R: Read> RecordSource<R> {
    fn new(window: Window<R>) -> Self {
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(window);
        RecordSource { reader, lines: LineCounter::default(), queue: Default::default() }
    }

    fn next(&mut self) -> Result<Option<RawRecord>, FrameError> {
        if let Some(record) = self.queue.pop_front() {
            return Ok(Some(record));
        }
        // Every record read so far has been dealt with: only the line count looks back,
        // and no further than where it stands.
        self.reader.get_mut().forget_before(self.lines.byte);
        let unreadable = |e: &dyn std::fmt::Display| FrameError { line: None, problem: format!("unreadable CSV: {e}") };
        let mut record = csv::StringRecord::new();
        let more = self.reader.read_record(&mut record).map_err(|e| unreadable(&e))?;
        if !more {
            return Ok(None);
        }
        let reader_at = self.reader.position().byte() as usize;
        let window = self.reader.get_mut();
        // The reader reports a record as starting at the previous record's line ending.
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while let Some(b'\r' | b'\n') = window.byte(start).map_err(|e| unreadable(&e))? {
            start += 1;
        }
        let start = start.min(window.end());
        let end = reader_at.clamp(start, window.end());
        let line = self.lines.line_at(window, start).map_err(|e| unreadable(&e))?;
        let fields = cleaned_fields(&record);
        Ok(Some(RawRecord { line, fields, span: start..end, reframed: false }))
    }

    /// Whether a line break sits inside the record (not the one ending it).
    fn spans_lines(&self, record: &RawRecord) -> bool {
        if record.reframed {
            return false;
        }
        let bytes = self.reader.get_ref().slice(record.span.clone());
        let end = bytes.iter().rposition(|&b| !matches!(b, b'\r' | b'\n')).map_or(0, |i| i + 1);
        bytes[..end].contains(&b'\n')
    }

    fn put_back(&mut self, record: RawRecord) {
        self.queue.push_front(record);
    }

    /// Replaces a record by one record per non-blank physical line of its text.
    fn reframe_by_line(&mut self, record: RawRecord) {
        let span = self.reader.get_ref().slice(record.span.clone());
        let mut parts = Vec::new();
        for (offset, line) in span.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line);
            let fields = match reader.records().next() {
                Some(Ok(r)) => cleaned_fields(&r),
                // Unreadable on its own: kept as one field, so it is rejected, not lost.
                _ => vec![String::from_utf8_lossy(line).into_owned()],
            };
            parts.push(RawRecord { line: record.line + offset as u64, fields, span: 0..0, reframed: true });
        }
        if parts.is_empty() {
            parts.push(RawRecord { reframed: true, ..record });
        }
        for part in parts.into_iter().rev() {
            self.queue.push_front(part);
        }
    }
}

/// Physical line numbers from byte offsets, counting newlines once, front to back.
#[derive(Default)]
struct LineCounter {
    byte: usize,
    newlines: u64,
}

impl LineCounter {
    /// The 1-based line holding byte `offset`; offsets must not decrease.
    fn line_at<R: Read>(&mut self, text: &mut Window<R>, offset: usize) -> std::io::Result<u64> {
        // The reader reports a record as starting at the previous record's line ending.
        let mut offset = offset;
        while let Some(b'\r' | b'\n') = text.byte(offset)? {
            offset += 1;
        }
        let offset = offset.min(text.end());
        if offset > self.byte {
            self.newlines += text.slice(self.byte..offset).iter().filter(|&&b| b == b'\n').count() as u64;
            self.byte = offset;
        }
        Ok(self.newlines + 1)
    }
}

/// A CSV record as owned text, with the line it starts on and its bytes in the file.
struct RawRecord {
    line: u64,
    fields: Vec<String>,
    span: std::ops::Range<usize>,
    /// Made from one line of a malformed multi-line record.
    reframed: bool,
}

/// Where each declared column sits in the file's header.
fn column_positions(columns: &[&str], header: &[String]) -> Result<Vec<usize>, FrameError> {
    let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    let missing: Vec<&str> = columns.iter().copied().filter(|c| !header.contains(c)).collect();
    if !missing.is_empty() {
        return Err(FrameError {
            line: Some(1),
            problem: format!("header lacks column(s) {} (found: {})", missing.join(", "), header.join(", ")),
        });
    }
    // Which of two same-named columns is meant cannot be known: refuse, never pick one.
    let repeated: Vec<String> = columns
        .iter()
        .filter_map(|c| {
            let at: Vec<String> = header.iter().enumerate().filter(|(_, h)| *h == c).map(|(i, _)| (i + 1).to_string()).collect();
            (at.len() > 1).then(|| format!("{c} (columns {})", at.join(", ")))
        })
        .collect();
    if !repeated.is_empty() {
        return Err(FrameError { line: Some(1), problem: format!("header repeats column(s) {}", repeated.join("; ")) });
    }
    Ok(columns.iter().map(|c| header.iter().position(|h| h == c).expect("checked above")).collect())
}

fn select(fields: &[String], positions: &[usize]) -> Vec<Option<String>> {
    positions.iter().map(|&p| fields.get(p).cloned()).collect()
}

/// Joins the two halves of a record broken inside its last field.
fn rejoin(mut first: Vec<String>, second: Vec<String>) -> Vec<String> {
    let mut rest = second.into_iter();
    if let (Some(last), Some(continuation)) = (first.last_mut(), rest.next()) {
        last.push_str(&continuation);
    }
    first.extend(rest);
    first
}
