//! The JSON lookup bundle under output/api/: the precomputed API.
//!
//! index.json describes the questions, the key normalisation and the shard scheme;
//! `api/<question>/<NNN>.json` maps keys to answers, so a client fetches one small file
//! per lookup; bundle.json.gz holds everything in one download.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value, json};

use crate::foundation::fingerprint::Fingerprint;
use crate::foundation::output::FileSink;
use crate::foundation::published::normalize::{self, RECIPE};
use crate::foundation::published::word_index;
use crate::foundation::published::{GENERATOR, fnv1a32};
use crate::foundation::reuse::FileRecord;
use crate::settings::{MAX_SHARD_BYTES, MAX_SHARDS};
use crate::stages::questions::{self, Answers, QUESTIONS, QuestionAnswers};

mod download;
mod parts;
use download::{Segment, SegmentWriter};
pub use parts::BundleReuse;
use parts::{PartRecord, ReusablePart, SegmentRecord};

/// 2: aliases moved from normalization.aliases into each question's entry.
pub const SCHEMA_VERSION: u64 = 2;

pub fn shard_of(key: &str, shards: u32) -> u32 {
    fnv1a32(key) % shards
}

pub fn shard_path(question: &str, shard: u32) -> String {
    format!("{question}/{shard:03}.json")
}

/// Sizes of what was written, for the build summary and the note.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct BundleStats {
    pub files: usize,
    pub bytes: u64,
    pub largest_shard_bytes: usize,
    pub largest_shard: String,
    pub download_bytes: u64,
    /// Questions whose files and download segment were reused, not made again.
    #[serde(default)]
    pub questions_reused: usize,
}

impl BundleStats {
    fn count_shard(&mut self, rel: &str, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
        if bytes as usize > self.largest_shard_bytes {
            self.largest_shard_bytes = bytes as usize;
            self.largest_shard = format!("api/{rel}");
        }
    }
}

/// Each key as JSON text beside its answers' JSON text.
fn serialized_entries(by_key: &BTreeMap<String, String>) -> Vec<(String, &str)> {
    by_key.iter().map(|(k, v)| (serde_json::to_string(k).expect("a string serialises"), v.as_str())).collect()
}

/// A JSON object text from already-serialised `"key"` and value texts.
fn object_text<'a, 'b: 'a>(entries: impl Iterator<Item = &'a (String, &'b str)>) -> String {
    let mut out = Vec::new();
    write_object(&mut out, entries).expect("writing to memory");
    String::from_utf8(out).expect("JSON texts are UTF-8")
}

/// Streams `{"key":[answers],...}` from already-serialised `"key"` and value texts.
fn write_object<'a, 'b: 'a>(out: &mut impl Write, entries: impl Iterator<Item = &'a (String, &'b str)>) -> std::io::Result<()> {
    out.write_all(b"{")?;
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(key.as_bytes())?;
        out.write_all(b":")?;
        out.write_all(value.as_bytes())?;
    }
    out.write_all(b"}")
}

/// How many shards one question needs: the fewest (doubling from an estimate) that keep
/// every file under the cap. Sizes are counted, not built.
fn shard_count(by_key: &BTreeMap<String, String>, entries: &[(String, &str)]) -> Result<u32> {
    let total: usize = entries.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut shards = (total / (MAX_SHARD_BYTES / 2) + 1) as u32;
    loop {
        if shards > MAX_SHARDS {
            bail!("{} keys need more than {MAX_SHARDS} shards of {MAX_SHARD_BYTES} bytes", by_key.len());
        }
        // "{" + "key:value" joined by "," + "}"
        let mut sizes = vec![1usize; shards as usize];
        for (key, (key_json, value)) in by_key.keys().zip(entries) {
            sizes[shard_of(key, shards) as usize] += key_json.len() + 1 + value.len() + 1;
        }
        if sizes.iter().all(|&size| size <= MAX_SHARD_BYTES) {
            return Ok(shards);
        }
        if shards as usize > by_key.len() * 2 {
            bail!("an answer is larger than {MAX_SHARD_BYTES} bytes on its own");
        }
        shards *= 2;
    }
}

/// The text of each shard, built one at a time.
fn shard_texts<'a>(
    by_key: &'a BTreeMap<String, String>,
    entries: &'a [(String, &'a str)],
    shards: u32,
) -> impl Iterator<Item = String> + 'a {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); shards as usize];
    for (i, key) in by_key.keys().enumerate() {
        members[shard_of(key, shards) as usize].push(i);
    }
    members.into_iter().map(move |m| object_text(m.into_iter().map(|i| &entries[i])))
}

/// What a question's input shows for a key: the first answer's input field (the title or
/// name as the data spells it), or the key itself.
fn display_of(qa: &QuestionAnswers, key: &str, answers: &str) -> String {
    let parsed: Value = serde_json::from_str(answers).unwrap_or(Value::Null);
    parsed.get(0).and_then(|a| a.get(qa.question.input_field)).and_then(Value::as_str).unwrap_or(key).to_string()
}

/// The suggestion index of a question's keys (what the questions page offers while
/// typing and as "¿Quisiste decir…?"), shorter keys first, and the files written for it
/// (paths under api/). Questions with the same keys share one: `written` holds the
/// fingerprints of the key lists already written, with their meta.
fn suggestion_index(
    qa: &QuestionAnswers,
    keys: &str,
    written: &mut Vec<(String, Value)>,
    sink: &FileSink,
    api: &Path,
    stats: &mut BundleStats,
    made_from: Fingerprint,
) -> Result<(Value, Vec<String>)> {
    if let Some((_, meta)) = written.iter().find(|(k, _)| k == keys) {
        return Ok((meta.clone(), Vec::new()));
    }
    let dir = format!("suggest/{}", qa.question.name);
    let mut order: Vec<(&String, &String)> = qa.by_key.iter().collect();
    order.sort_by(|a, b| (a.0.split(' ').count(), a.0.len(), a.0).cmp(&(b.0.split(' ').count(), b.0.len(), b.0)));
    let mut builder = word_index::Builder::default();
    for (key, answers) in order {
        let display = display_of(qa, key, answers);
        builder.add(&display, &[Value::from(display.clone())]);
    }
    let built = builder.finish();
    for sub in ["e", "w"] {
        std::fs::create_dir_all(api.join(&dir).join(sub))?;
    }
    let mut files = Vec::new();
    for (path, bytes) in built.files {
        stats.files += 1;
        stats.bytes += bytes.len() as u64;
        let rel = format!("{dir}/{path}");
        sink.send_made(api.join(&rel), bytes, made_from)?;
        files.push(rel);
    }
    let mut meta = built.meta;
    meta["dir"] = json!(dir);
    written.push((keys.to_string(), meta.clone()));
    Ok((meta, files))
}

fn question_index(qa: &QuestionAnswers, shards: u32) -> Value {
    let q = qa.question;
    let fields = &qa.fields;
    let example = qa.example.as_ref().map(|(key, answer)| json!({"input": key, "answers": [answer]}));
    json!({
        "name": q.name,
        "variants": q.variants,
        "input": q.input,
        "input_field": q.input_field,
        "aliases": q.aliases().iter().map(|(alias, key)| (alias.to_string(), Value::from(*key))).collect::<Map<_, _>>(),
        "description": q.description,
        "answer_fields": fields,
        "keys": qa.by_key.len(),
        "shards": shards,
        "example": example,
    })
}

/// Writes api/ under `out`, one question at a time, dropping each question's answers
/// once written; returns what it wrote. A question whose answers are those of the
/// previous build is not made again: its files are linked and its part of the download
/// comes from the cache (see `parts`). Every other file is recorded as made from
/// `made_from` (the data the answers came from).
pub fn write(
    out: &Path,
    reuse: &BundleReuse<'_>,
    answers: Vec<Answers>,
    tables: &BTreeMap<String, u64>,
    made_from: Fingerprint,
) -> Result<(BundleStats, Vec<(String, FileRecord)>)> {
    let api = out.join("api");
    std::fs::create_dir_all(&api)?;
    let sink = FileSink::start(out, reuse.previous);
    let mut stats = BundleStats::default();
    let mut index_questions = Vec::new();
    let mut suggestion_dirs = Vec::new();
    // {"answers": {question: {key: [answers]}}, "index": ...}: one deflate segment per
    // question, compressed on a second thread while the same question's shards are cut;
    // the index, known last, closes it.
    let mut segments = vec![download::open_segment_of(b"{\"answers\":{")?];
    let mut clock = std::time::Instant::now();
    for (i, answers) in answers.into_iter().enumerate() {
        // Fingerprinted before they are turned into text (that is what reuse saves);
        // spilled rows are read from their file a few batches at a time, twice.
        let print = parts::question_print(reuse.program, i, &answers)?;
        let name = answers.question().name;
        let owner = |keys: &str| suggestion_dirs.iter().find(|(k, _): &&(String, Value)| k == keys).map(|(_, meta)| meta.clone());
        if let Some((print, part)) = print.and_then(|print| Some((print, reuse.reusable(name, print, owner)?))) {
            link_part(&api, &sink, name, &part, print, &mut stats)?;
            if !part.record.suggestions.is_empty() {
                suggestion_dirs.push((part.record.keys.clone(), part.record.index_entry["suggest"].clone()));
            }
            index_questions.push(part.record.index_entry);
            segments.push(part.segment);
            stats.questions_reused += 1;
            continue;
        }
        // Made into text here, one question at a time (see `questions::Answers`).
        let qa = answers.into_text()?;
        let part_from = print.unwrap_or(made_from);
        let (segment, shard_files) = write_shards(&api, &sink, &qa, i, part_from, &mut stats)?;
        let keys = parts::keys_print(&qa).to_string();
        let (suggest, suggestion_files) = suggestion_index(&qa, &keys, &mut suggestion_dirs, &sink, &api, &mut stats, part_from)?;
        let shards = u32::try_from(shard_files.len())?;
        let mut entry = question_index(&qa, shards);
        entry["suggest"] = suggest;
        if print.is_some() {
            let record = PartRecord {
                print: part_from.to_string(),
                index_entry: entry.clone(),
                keys,
                shards: shard_files,
                suggestions: suggestion_files,
                segment: SegmentRecord::of(&segment),
            };
            reuse.keep(name, &record, &segment)?;
        }
        index_questions.push(entry);
        segments.push(segment);
        crate::foundation::timing::trace(&format!("bundle: {name}"), &mut clock);
    }
    let index = json!({
        "schema_version": SCHEMA_VERSION,
        "generator": GENERATOR,
        "normalization": {
            "recipe": RECIPE,
            "alias_rule": "after normalising, look the key up in the question's own aliases (questions[].aliases: alias key -> key) and use the key it maps to when there is one",
            "examples": [
                ["Miércoles", normalize::normalize_key("Miércoles")],
                ["  SÁBADO ", normalize::normalize_key("  SÁBADO ")],
                ["The  Dark Knight", normalize::normalize_key("The  Dark Knight")],
                ["\u{feff}Zoë\u{a0}Ørnås\u{200b}", normalize::normalize_key("\u{feff}Zoë\u{a0}Ørnås\u{200b}")],
                ["ΟΔΥΣΣΕΥΣ", normalize::normalize_key("ΟΔΥΣΣΕΥΣ")],
            ],
        },
        "sharding": {
            "hash": "FNV-1a 32-bit (offset 2166136261, prime 16777619) over the UTF-8 bytes of the normalised key",
            "shard": "hash modulo the question's shard count",
            "path": "api/{question}/{shard}.json, shard as a 3-digit zero-padded decimal",
            "content": "a JSON object mapping each normalised key to the list of its answers; every answer has a 'sentence' and the question's answer_fields",
        },
        "answer": "a lookup returns {question, input, answers: [...]}; several answers when several movies or people share the key",
        "questions": index_questions,
        "counts": tables,
        "download": "api/bundle.json.gz",
    });
    let mut tail = SegmentWriter::default();
    write!(tail, "}},\"index\":{}}}", serde_json::to_string(&index)?)?;
    segments.push(tail.last_segment()?);
    let gz = download::gzip_of(&segments);
    drop(segments);
    let index_text = serde_json::to_string_pretty(&index)? + "\n";
    stats.files += 2;
    stats.bytes += (index_text.len() + gz.len()) as u64;
    stats.download_bytes = gz.len() as u64;
    sink.send_made(api.join("index.json"), index_text.into_bytes(), made_from)?;
    sink.send_made(api.join("bundle.json.gz"), gz, made_from)?;
    let files = sink.finish()?;
    Ok((stats, files.records))
}

/// Cuts a question's shards and sends them to the writer, compressing its segment of
/// the download on a second thread meanwhile; returns the segment and the shards'
/// paths under api/.
fn write_shards(
    api: &Path,
    sink: &FileSink,
    qa: &QuestionAnswers,
    position: usize,
    made_from: Fingerprint,
    stats: &mut BundleStats,
) -> Result<(Segment, Vec<String>)> {
    let name = qa.question.name;
    std::fs::create_dir_all(api.join(name))?;
    let entries = serialized_entries(&qa.by_key);
    let shards = shard_count(&qa.by_key, &entries)?;
    std::thread::scope(|scope| -> Result<(Segment, Vec<String>)> {
        let entries = &entries;
        let compressing = scope.spawn(move || -> std::io::Result<Segment> {
            let mut segment = SegmentWriter::default();
            if position > 0 {
                segment.write_all(b",")?;
            }
            write!(segment, "\"{name}\":")?;
            write_object(&mut segment, entries.iter())?;
            segment.open_segment()
        });
        let mut rels = Vec::new();
        for (shard, text) in shard_texts(&qa.by_key, entries, shards).enumerate() {
            let rel = shard_path(name, shard as u32);
            stats.count_shard(&rel, text.len() as u64);
            sink.send_made(api.join(&rel), text.into_bytes(), made_from)?;
            rels.push(rel);
        }
        let segment = compressing.join().map_err(|_| anyhow::anyhow!("the bundle compressor panicked"))??;
        Ok((segment, rels))
    })
}

/// Links a reused question's files from the previous output and counts them.
fn link_part(api: &Path, sink: &FileSink, name: &str, part: &ReusablePart, print: Fingerprint, stats: &mut BundleStats) -> Result<()> {
    // As `suggestion_index` does, even when a directory stays empty.
    if !part.record.suggestions.is_empty() {
        for sub in ["e", "w"] {
            std::fs::create_dir_all(api.join("suggest").join(name).join(sub))?;
        }
    }
    for (rel, old, size) in &part.files {
        if part.record.shards.contains(rel) {
            stats.count_shard(rel, *size);
        } else {
            stats.files += 1;
            stats.bytes += size;
        }
        sink.reuse(api.join(rel), old.clone(), print)?;
    }
    Ok(())
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup {
    Found { key: String, answers: Vec<Value> },
    NotFound { key: String, suggestions: Vec<String> },
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {} (has the site been built?)", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// What `ask` needs of a question's entry in index.json, checked.
#[derive(Debug)]
struct Entry {
    shards: u32,
    aliases: Vec<(String, String)>,
}

/// A JSON value's kind, for error messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Finds and checks `question`'s entry in index.json (`file` names it in errors): the
/// index is what makes a shard's number, so a bad value there must stop the lookup
/// rather than divide by zero, wrap around u32 or read the wrong file.
fn index_entry(index: &Value, file: &Path, question: &str) -> Result<Entry> {
    let file = file.display();
    let Value::Object(index) = index else { bail!("corrupt bundle: {file} is {} rather than an object", kind(index)) };
    let version = index.get("schema_version").unwrap_or(&Value::Null);
    if version.as_u64() != Some(SCHEMA_VERSION) {
        bail!("{file} has schema_version {version}, and this marquee reads version {SCHEMA_VERSION}: rebuild the output");
    }
    let Some(questions) = index.get("questions").and_then(Value::as_array) else {
        bail!("corrupt bundle: {file} has no \"questions\" array")
    };
    let Some(entry) = questions.iter().find_map(|e| e.as_object().filter(|e| e.get("name").and_then(Value::as_str) == Some(question)))
    else {
        bail!("corrupt bundle: {file} does not list the question {question}")
    };
    let shards = entry.get("shards").unwrap_or(&Value::Null);
    let shards = match shards.as_u64() {
        Some(n) if (1..=u64::from(MAX_SHARDS)).contains(&n) => n as u32,
        _ => bail!("corrupt bundle: {file}: {question} has shards = {shards}, not an integer from 1 to {MAX_SHARDS}"),
    };
    let Some(aliases) = entry.get("aliases").and_then(Value::as_object) else {
        bail!("corrupt bundle: {file}: {question} has no \"aliases\" object")
    };
    let aliases = aliases
        .iter()
        .map(|(alias, key)| match key.as_str() {
            Some(key) => Ok((alias.clone(), key.to_string())),
            None => bail!("corrupt bundle: {file}: {question}'s alias {alias:?} maps to {} rather than a key", kind(key)),
        })
        .collect::<Result<_>>()?;
    Ok(Entry { shards, aliases })
}

/// What is wrong with one key's answers, if anything: they must be a non-empty list of
/// objects with a string `sentence` (what the writer makes and `marquee ask` prints).
fn answers_problem(answers: &Value) -> Option<String> {
    let Some(list) = answers.as_array() else { return Some(format!("are {} rather than a list", kind(answers))) };
    if list.is_empty() {
        return Some("are an empty list".to_string());
    }
    let bad = list.iter().position(|a| a.get("sentence").and_then(Value::as_str).is_none())?;
    Some(format!("hold {} at {bad}, not an object with a string \"sentence\"", kind(&list[bad])))
}

/// Reads one shard and checks every entry. index.json promised this file, so a missing
/// or malformed one is a corrupt bundle, never "no answer".
fn read_shard(path: &Path) -> Result<Map<String, Value>> {
    let corrupt = |problem: String| anyhow!("corrupt bundle: {}: {problem}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| corrupt(format!("cannot be read ({e})")))?;
    let shard: Value = serde_json::from_str(&text).map_err(|e| corrupt(format!("not valid JSON ({e})")))?;
    let Value::Object(shard) = shard else { return Err(corrupt(format!("{} rather than an object", kind(&shard)))) };
    for (key, answers) in &shard {
        if let Some(problem) = answers_problem(answers) {
            return Err(corrupt(format!("the answers to {key:?} {problem}")));
        }
    }
    Ok(shard)
}

/// Answers a question from a built output, fetching only the shard the key lives in.
/// Everything read back is checked: a damaged bundle is an error naming the file.
pub fn ask(out: &Path, question: &str, input: &str) -> Result<Lookup> {
    let Some(q) = questions::find(question) else {
        let names: Vec<&str> = QUESTIONS.iter().map(|q| q.name).collect();
        bail!("unknown question {question:?}; the questions are: {}", names.join(", "));
    };
    let api = out.join("api");
    let index_path = api.join("index.json");
    let entry = index_entry(&read_json(&index_path)?, &index_path, q.name)?;
    let key = normalize::lookup_key(input, entry.aliases.iter().map(|(alias, key)| (alias.as_str(), key.as_str())));
    let home = shard_of(&key, entry.shards);
    let mut shard = read_shard(&api.join(shard_path(q.name, home)))?;
    if let Some(Value::Array(answers)) = shard.remove(&key) {
        return Ok(Lookup::Found { key, answers });
    }
    // A key filed in another shard than its hash picks is never found, but it may still
    // be suggested: reading every shard for suggestions does not care where keys sit.
    let mut candidates: Vec<(usize, String, String)> = Vec::new();
    for s in 0..entry.shards {
        // The key's own shard was read above; the others are read now.
        let file = if s == home { std::mem::take(&mut shard) } else { read_shard(&api.join(shard_path(q.name, s)))? };
        for (k, answers) in file {
            let display = answers.get(0).and_then(|a| a.get(q.input_field)).and_then(Value::as_str).unwrap_or(&k).to_string();
            candidates.push((distance(&key, &k), k, display));
        }
    }
    candidates.sort();
    let suggestions = candidates.into_iter().take(5).map(|(_, _, display)| display).collect();
    Ok(Lookup::NotFound { key, suggestions })
}

/// Edit distance, with a match inside a longer key counting as close.
fn distance(input: &str, key: &str) -> usize {
    if !input.is_empty() && key.contains(input) {
        return key.chars().count() - input.chars().count();
    }
    levenshtein(input, key)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_published_reference_values() {
        assert_eq!(fnv1a32(""), 0x811c9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c292c);
        assert_eq!(fnv1a32("foobar"), 0xbf9cf968);
    }

    #[test]
    fn levenshtein_basics() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("sabado", "sabado"), 0);
        assert_eq!(distance("toy", "toy story"), 6);
    }

    /// A scratch output directory, removed when dropped.
    struct Scratch(std::path::PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!("marquee-bundle-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("api")).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn answers_of(question: &str, entries: &[(&str, Value)]) -> QuestionAnswers {
        QuestionAnswers {
            question: questions::find(question).unwrap(),
            by_key: entries.iter().map(|(key, answers)| (key.to_string(), answers.to_string())).collect(),
            fields: Vec::new(),
            example: None,
        }
    }

    fn found(out: &Path, question: &str, input: &str) -> (String, Value) {
        match ask(out, question, input).unwrap() {
            Lookup::Found { key, answers } => (key, answers[0]["sentence"].clone()),
            Lookup::NotFound { key, .. } => panic!("{question}({input:?}): no answer under {key:?}"),
        }
    }

    #[test]
    fn month_aliases_do_not_hide_a_title() {
        let out = Scratch::new("aliases");
        let answers = vec![
            answers_of("score_titulo", &[("setiembre", json!([{"titulo": "Setiembre", "sentence": "La película Setiembre"}]))]),
            answers_of("cantidad_filmaciones_mes", &[("septiembre", json!([{"mes": "septiembre", "sentence": "30 en septiembre"}]))]),
        ];
        let log = crate::foundation::reuse::FileLog::default();
        let answers = answers.into_iter().map(Answers::Text).collect();
        write(
            &out.0,
            &BundleReuse::none(&log),
            answers,
            &BTreeMap::new(),
            crate::foundation::fingerprint::Fingerprinter::new("test").finish(),
        )
        .unwrap();
        assert_eq!(found(&out.0, "score_titulo", "Setiembre"), ("setiembre".to_string(), json!("La película Setiembre")));
        assert_eq!(found(&out.0, "cantidad_filmaciones_mes", "Setiembre"), ("septiembre".to_string(), json!("30 en septiembre")));
        assert_eq!(found(&out.0, "cantidad_filmaciones_mes", " SEPTIEMBRE"), ("septiembre".to_string(), json!("30 en septiembre")));
        let index = read_json(&out.0.join("api/index.json")).unwrap();
        assert_eq!(index["schema_version"], SCHEMA_VERSION);
        assert_eq!(index["questions"][0]["aliases"], json!({}));
        assert_eq!(index["questions"][1]["aliases"], json!({"setiembre": "septiembre"}));
    }

    /// An output holding `index` as api/index.json and `shards` under api/score_titulo/;
    /// returns what asking score_titulo for "toy story" there says, as an error text.
    fn ask_error(name: &str, index: &str, shards: &[(&str, &str)]) -> String {
        let out = Scratch::new(name);
        std::fs::write(out.0.join("api/index.json"), index).unwrap();
        std::fs::create_dir_all(out.0.join("api/score_titulo")).unwrap();
        for (file, text) in shards {
            std::fs::write(out.0.join("api/score_titulo").join(file), text).unwrap();
        }
        match ask(&out.0, "score_titulo", "Toy Story") {
            Err(e) => format!("{e:#}"),
            Ok(lookup) => panic!("{name}: {lookup:?}, not an error"),
        }
    }

    /// An index.json whose score_titulo entry has this shard count.
    fn index_with_shards(shards: Value) -> String {
        json!({"schema_version": SCHEMA_VERSION, "questions": [{"name": "score_titulo", "shards": shards, "aliases": {}}]}).to_string()
    }

    const TOY_STORY: &str = r#"{"toy story": [{"titulo": "Toy Story", "sentence": "La película Toy Story"}]}"#;

    fn assert_names(error: &str, parts: &[&str]) {
        for part in parts {
            assert!(error.contains(part), "{part:?} is missing from: {error}");
        }
    }

    #[test]
    fn zero_shards_is_an_error_not_a_division_by_zero() {
        let e = ask_error("shards-zero", &index_with_shards(json!(0)), &[("000.json", TOY_STORY)]);
        assert_names(&e, &["index.json", "score_titulo", "shards = 0"]);
    }

    #[test]
    fn a_shard_count_beyond_u32_does_not_wrap_around() {
        // 2^32 + 1 as u32 is 1: the old reader found Toy Story in 000.json.
        let e = ask_error("shards-wrap", &index_with_shards(json!(4294967297u64)), &[("000.json", TOY_STORY)]);
        assert_names(&e, &["index.json", "shards = 4294967297"]);
        let e = ask_error("shards-max", &index_with_shards(json!(MAX_SHARDS + 1)), &[("000.json", TOY_STORY)]);
        assert_names(&e, &["index.json", &format!("shards = {}", MAX_SHARDS + 1)]);
    }

    #[test]
    fn a_shard_count_that_is_not_an_integer_is_an_error() {
        for (case, shards) in [("text", json!("x")), ("negative", json!(-1)), ("float", json!(1.5)), ("null", Value::Null)] {
            let e = ask_error(&format!("shards-{case}"), &index_with_shards(shards.clone()), &[("000.json", TOY_STORY)]);
            assert_names(&e, &["index.json", &format!("shards = {shards}")]);
        }
        let index = json!({"schema_version": SCHEMA_VERSION, "questions": [{"name": "score_titulo", "aliases": {}}]}).to_string();
        assert_names(&ask_error("shards-missing", &index, &[]), &["index.json", "shards = null"]);
    }

    #[test]
    fn a_question_missing_from_the_index_is_an_error() {
        let index = json!({"schema_version": SCHEMA_VERSION, "questions": [{"name": "votos_titulo", "shards": 1, "aliases": {}}]});
        assert_names(&ask_error("no-question", &index.to_string(), &[]), &["index.json", "does not list the question score_titulo"]);
    }

    #[test]
    fn a_malformed_index_is_an_error() {
        let version = |v: Value| json!({"schema_version": v, "questions": []}).to_string();
        for (case, text, says) in [
            ("array", "[]".to_string(), "an array rather than an object"),
            ("not-json", "{\"questions\": [".to_string(), "parsing"),
            ("no-questions", json!({"schema_version": SCHEMA_VERSION}).to_string(), "no \"questions\" array"),
            ("old", version(json!(1)), "schema_version 1"),
            ("no-version", json!({"questions": []}).to_string(), "schema_version null"),
            (
                "alias",
                json!({"schema_version": SCHEMA_VERSION, "questions": [{"name": "score_titulo", "shards": 1, "aliases": {"a": 1}}]})
                    .to_string(),
                "alias \"a\" maps to a number",
            ),
        ] {
            assert_names(&ask_error(&format!("index-{case}"), &text, &[("000.json", TOY_STORY)]), &["index.json", says]);
        }
    }

    #[test]
    fn a_damaged_shard_is_corrupt_not_a_missing_answer() {
        let index = index_with_shards(json!(1));
        for (case, shard, says) in [
            ("not-json", "{\"toy story\": [", "not valid JSON"),
            ("array", "[]", "an array rather than an object"),
            ("answers-object", r#"{"toy story": {"sentence": "x"}}"#, "are an object rather than a list"),
            ("answers-empty", r#"{"toy story": []}"#, "are an empty list"),
            ("no-sentence", r#"{"toy story": [{"titulo": "Toy Story"}]}"#, "not an object with a string \"sentence\""),
            ("answer-not-object", r#"{"toy story": [7]}"#, "a number at 0"),
            // Another key is damaged: the file cannot be trusted either.
            ("other-key", r#"{"toy story": [{"sentence": "s"}], "cars": "x"}"#, "the answers to \"cars\""),
        ] {
            assert_names(&ask_error(&format!("shard-{case}"), &index, &[("000.json", shard)]), &["corrupt", "score_titulo/000.json", says]);
        }
        assert_names(&ask_error("shard-missing", &index, &[]), &["corrupt", "score_titulo/000.json", "cannot be read"]);
    }

    #[test]
    fn suggestions_read_every_shard_and_check_it_too() {
        // Toy Story's shard of two holds something else; the other one is damaged.
        let home = shard_of("toy story", 2);
        let (good, bad) = (shard_path("", home), shard_path("", 1 - home));
        let shards = [(&good[1..], r#"{"cars": [{"titulo": "Cars", "sentence": "s"}]}"#), (&bad[1..], "[1]")];
        assert_names(&ask_error("suggest-corrupt", &index_with_shards(json!(2)), &shards), &["corrupt", &bad, "an array"]);
    }

    #[test]
    fn odd_but_valid_answers_still_give_suggestions() {
        let out = Scratch::new("suggest-odd");
        std::fs::write(out.0.join("api/index.json"), index_with_shards(json!(2))).unwrap();
        std::fs::create_dir_all(out.0.join("api/score_titulo")).unwrap();
        // Toy Story sits in the shard its hash does not pick: not found, still suggested;
        // answers without the title field (or with a number there) show their key.
        let away = 1 - shard_of("toy story", 2);
        let files = [
            (away, r#"{"toy story": [{"titulo": "Toy Story", "sentence": "s"}], "toy story 2": [{"sentence": "s"}]}"#),
            (1 - away, r#"{"toy story 3": [{"titulo": 3, "sentence": "s"}]}"#),
        ];
        for (shard, text) in files {
            std::fs::write(out.0.join("api").join(shard_path("score_titulo", shard)), text).unwrap();
        }
        match ask(&out.0, "score_titulo", "Toy Story").unwrap() {
            Lookup::NotFound { key, suggestions } => {
                assert_eq!(key, "toy story");
                assert_eq!(suggestions, ["Toy Story", "toy story 2", "toy story 3"]);
            }
            found => panic!("{found:?}"),
        }
    }

    #[test]
    fn shards_stay_under_the_cap() {
        let big: BTreeMap<String, String> =
            (0..4000).map(|i| (format!("key {i}"), json!([{"sentence": "x".repeat(300)}]).to_string())).collect();
        let entries = serialized_entries(&big);
        let shards = shard_count(&big, &entries).unwrap();
        let texts: Vec<String> = shard_texts(&big, &entries, shards).collect();
        assert!(shards > 1);
        assert!(texts.iter().all(|t| t.len() <= MAX_SHARD_BYTES));
        let total_keys: usize = texts.iter().map(|t| serde_json::from_str::<Map<String, Value>>(t).unwrap().len()).sum();
        assert_eq!(total_keys, 4000);
    }
}
