//! Reusing one question's part of the bundle when its answers did not change.
//!
//! A question's part is its shard files, the suggestion files it owns, its entry in
//! index.json and its segment of bundle.json.gz. All of it is made from the question's
//! answer rows alone (and the program), so the part is fingerprinted from those rows,
//! before they are turned into text: the text is most of the bundle's cost. A rebuild
//! after one movie's popularity changed makes two questions again and links the rest.
//!
//! What is kept, per question, in `<out>.cache/bundle/`: `<question>.json` (the
//! fingerprint, the index entry, the files, the segment's CRC, length and fingerprint)
//! and `<question>.deflate` (the segment). A part is reused only when its record
//! matches, every file of it is still the one the previous output published (the file
//! log), and the segment's bytes match their fingerprint; otherwise it is made again.

use std::path::{Path, PathBuf};

use datafusion::arrow::row::{RowConverter, SortField};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::download::Segment;
use crate::foundation::fingerprint::{Fingerprint, Fingerprinter};
use crate::foundation::output::write_atomically;
use crate::foundation::reuse::FileLog;
use crate::stages::questions::{Answers, Batches, QuestionAnswers};

/// What the bundle may reuse: the previous output, its file log, and where parts are
/// kept.
pub struct BundleReuse<'a> {
    pub log: &'a FileLog,
    pub previous: Option<&'a Path>,
    /// `<out>.cache/bundle`; `None` keeps nothing (tests of the bundle alone).
    pub dir: Option<PathBuf>,
    pub program: Fingerprint,
}

/// The record of a question's part, beside its segment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartRecord {
    pub print: String,
    /// The question's entry in index.json, with its suggestion index's meta.
    pub index_entry: Value,
    /// The fingerprint of the question's key list: questions with the same keys share
    /// one suggestion index.
    pub keys: String,
    /// Paths under api/ of the question's shard files.
    pub shards: Vec<String>,
    /// Paths under api/ of the suggestion files this question wrote (none when it uses
    /// an earlier question's).
    pub suggestions: Vec<String>,
    pub segment: SegmentRecord,
}

/// What vouches for a kept segment: the CRC-32 and length of its text, and the
/// fingerprint of its compressed bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SegmentRecord {
    pub crc: u32,
    pub len: u64,
    pub deflate: String,
}

impl SegmentRecord {
    pub fn of(segment: &Segment) -> SegmentRecord {
        SegmentRecord { crc: segment.crc, len: segment.len, deflate: bytes_print(&segment.deflate).to_string() }
    }
}

/// A reusable part: its record, its segment, and each file to link with its size.
pub struct ReusablePart {
    pub record: PartRecord,
    pub segment: Segment,
    pub files: Vec<(String, PathBuf, u64)>,
}

/// What a question's part is made from: the program, the question's place in the
/// bundle and its answers (rows read from their file a batch at a time if spilled).
/// `None` when the rows cannot be fingerprinted (a column type the row format does not
/// support): the part is then always made.
pub fn question_print(program: Fingerprint, position: usize, answers: &Answers) -> anyhow::Result<Option<Fingerprint>> {
    let mut print = Fingerprinter::new("bundle question");
    print.add_fingerprint(program).add_u64(position as u64);
    match (answers, answers.batches()?) {
        (_, Some(batches)) => {
            print.add_str(answers.question().name);
            if add_rows(&mut print, batches)?.is_none() {
                return Ok(None);
            }
        }
        (Answers::Text(qa), None) => add_text(&mut print, qa),
        (_, None) => unreachable!("only answers already text have no rows"),
    }
    Ok(Some(print.finish()))
}

/// Every row's values in order, in arrow's row format (one byte string per row, the
/// same for the same values however the rows are batched), after the schema; `None`
/// when they cannot be put in that format.
fn add_rows(print: &mut Fingerprinter, mut batches: Batches<'_>) -> anyhow::Result<Option<()>> {
    let Some(first) = batches.next().transpose()? else {
        print.add_str("no rows");
        return Ok(Some(()));
    };
    let schema = first.schema();
    print.add_str(&format!("{:?}", schema.fields()));
    let fields: Vec<SortField> = schema.fields().iter().map(|f| SortField::new(f.data_type().clone())).collect();
    let Ok(converter) = RowConverter::new(fields) else { return Ok(None) };
    for batch in std::iter::once(Ok(first)).chain(batches) {
        let batch = batch?;
        if batch.schema() != schema {
            return Ok(None);
        }
        let Ok(rows) = converter.convert_columns(batch.columns()) else { return Ok(None) };
        for row in rows.iter() {
            print.add_bytes(row.as_ref());
        }
    }
    Ok(Some(()))
}

fn add_text(print: &mut Fingerprinter, qa: &QuestionAnswers) {
    print.add_str(qa.question.name).add_u64(qa.by_key.len() as u64);
    for (key, answers) in &qa.by_key {
        print.add_str(key).add_str(answers);
    }
    for field in &qa.fields {
        print.add_str(field);
    }
}

/// The fingerprint of a question's key list.
pub fn keys_print(qa: &QuestionAnswers) -> Fingerprint {
    let mut print = Fingerprinter::new("bundle keys");
    print.add_u64(qa.by_key.len() as u64);
    for key in qa.by_key.keys() {
        print.add_str(key);
    }
    print.finish()
}

/// Whether `rel` (under api/) is a file of `question`'s shards or suggestion index.
fn is_own_file(question: &str, rel: &str) -> bool {
    let own = rel.strip_prefix(question).or_else(|| rel.strip_prefix("suggest/").and_then(|r| r.strip_prefix(question)));
    own.is_some_and(|r| r.starts_with('/') && r.split('/').skip(1).all(|part| !part.is_empty() && !part.starts_with('.')))
}

fn bytes_print(bytes: &[u8]) -> Fingerprint {
    Fingerprinter::new("bundle segment").add_bytes(bytes).finish()
}

impl BundleReuse<'_> {
    /// Nothing to reuse and nothing kept.
    pub fn none(log: &FileLog) -> BundleReuse<'_> {
        BundleReuse { log, previous: None, dir: None, program: Fingerprinter::new("no program").finish() }
    }

    /// The part of `question` kept for `print`, when every piece of it is still sound.
    /// `suggestion_owner` tells whether an earlier question of this build has the same
    /// keys (its suggestion meta) or not: the part is reused only where a cold build
    /// would make the same choice of suggestion index.
    pub fn reusable(&self, question: &str, print: Fingerprint, suggestion_owner: impl Fn(&str) -> Option<Value>) -> Option<ReusablePart> {
        let (dir, previous) = (self.dir.as_ref()?, self.previous?);
        let record: PartRecord = serde_json::from_slice(&std::fs::read(dir.join(format!("{question}.json"))).ok()?).ok()?;
        if record.print != print.to_string() {
            return None;
        }
        let owner = suggestion_owner(&record.keys);
        match (&owner, record.suggestions.is_empty()) {
            // This question wrote its own suggestion index; a cold build would too only
            // when no earlier question has its keys.
            (None, false) => {}
            // It used an earlier question's: that one must still have these keys.
            (Some(meta), true) if Some(meta) == record.index_entry.get("suggest") => {}
            _ => return None,
        }
        let mut files = Vec::new();
        for rel in record.shards.iter().chain(&record.suggestions) {
            // Only the question's own directories, whatever the record says.
            if !is_own_file(question, rel) {
                return None;
            }
            let (old, size) = self.log.reusable(previous, &format!("api/{rel}"), print)?;
            files.push((rel.clone(), old, size));
        }
        let deflate = std::fs::read(dir.join(format!("{question}.deflate"))).ok()?;
        if bytes_print(&deflate).to_string() != record.segment.deflate {
            return None;
        }
        let segment = Segment { deflate, crc: record.segment.crc, len: record.segment.len };
        Some(ReusablePart { record, segment, files })
    }

    /// Keeps a question's part for the next build: the segment, then the record that
    /// vouches for it (a crash between the two leaves a record that does not match).
    pub fn keep(&self, question: &str, record: &PartRecord, segment: &Segment) -> anyhow::Result<()> {
        let Some(dir) = &self.dir else { return Ok(()) };
        std::fs::create_dir_all(dir)?;
        write_atomically(&dir.join(format!("{question}.deflate")), |w| Ok(std::io::Write::write_all(w, &segment.deflate)?))?;
        write_atomically(&dir.join(format!("{question}.json")), |w| Ok(serde_json::to_writer(w, record)?))
    }
}
