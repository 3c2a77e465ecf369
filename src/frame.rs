//! CSV framing for the loader: records with the physical line they start on, the
//! header checked against the declared columns, and records the real movies file
//! breaks in two joined back together. Depends on nothing but `csv`, so the fuzz
//! targets can include it as it is.

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
pub fn frame_records(
    bytes: &[u8],
    columns: &[&str],
    rejoin_split_records: bool,
    mut emit: impl FnMut(Framed),
) -> Result<u64, FrameError> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FrameError { line: Some(1), problem: "file is empty: expected a header line".into() });
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
    let mut lines = LineCounter::default();
    let mut records = reader.records().map(|r| {
        r.map(|rec| RawRecord {
            line: lines.line_at(text, rec.position().map_or(0, |p| p.byte() as usize)),
            fields: rec.iter().map(str::to_owned).collect(),
        })
        .map_err(|e| FrameError { line: None, problem: format!("unreadable CSV: {e}") })
    });
    let Some(header) = records.next().transpose()? else {
        return Err(FrameError { line: Some(1), problem: "file is empty: expected a header line".into() });
    };
    let positions = column_positions(columns, &header.fields)?;
    let width = header.fields.len();
    let mut count = 0u64;
    let mut pending: Option<RawRecord> = None;
    loop {
        let record = match pending.take() {
            Some(r) => r,
            None => match records.next() {
                Some(r) => r?,
                None => break,
            },
        };
        count += 1;
        if record.fields.len() == width {
            emit(Framed { line: record.line, records: 1, fields: select(&record.fields, &positions), problem: None });
            continue;
        }
        if rejoin_split_records && record.fields.len() < width {
            if let Some(next) = records.next().transpose()? {
                if record.fields.len() + next.fields.len() - 1 == width {
                    count += 1;
                    let joined = rejoin(record.fields, next.fields);
                    emit(Framed { line: record.line, records: 2, fields: select(&joined, &positions), problem: None });
                    continue;
                }
                pending = Some(next);
            }
        }
        let problem = format!("record has {} fields, the header has {}", record.fields.len(), width);
        emit(Framed { line: record.line, records: 1, fields: select(&record.fields, &positions), problem: Some(problem) });
    }
    Ok(count)
}

/// Physical line numbers from byte offsets, counting newlines once, front to back.
#[derive(Default)]
struct LineCounter {
    byte: usize,
    newlines: u64,
}

impl LineCounter {
    /// The 1-based line holding byte `offset`; offsets must not decrease.
    fn line_at(&mut self, text: &[u8], offset: usize) -> u64 {
        // The reader reports a record as starting at the previous record's line ending.
        let mut offset = offset.min(text.len());
        while offset < text.len() && matches!(text[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset > self.byte {
            self.newlines += text[self.byte..offset].iter().filter(|&&b| b == b'\n').count() as u64;
            self.byte = offset;
        }
        self.newlines + 1
    }
}

/// A CSV record as owned text, with the line it starts on.
struct RawRecord {
    line: u64,
    fields: Vec<String>,
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

