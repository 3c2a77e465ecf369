//! Questions stage: runs every question's SQL (every input at once, set-based) and
//! turns each answer table into JSON answers grouped by lookup key.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::ipc::reader::FileReader;
use datafusion::arrow::ipc::writer::FileWriter;
use datafusion::prelude::SessionContext;
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::foundation::cells::json_value;
use crate::foundation::engine::scripts::{self, Script};
use crate::foundation::tables;

pub mod registry;

pub use registry::{QUESTIONS, Question, Role, SHARED, find};

/// Every answer of one question, by lookup key, as JSON text (a list: a title shared
/// by several movies has several answers, in the SQL's order). Kept as text because
/// the full dataset has ~400k keys: parsed values would take gigabytes.
pub struct QuestionAnswers {
    pub question: &'static Question,
    /// Normalised key -> JSON array of answers.
    pub by_key: BTreeMap<String, String>,
    /// Field names of an answer, sorted.
    pub fields: Vec<String>,
    /// The first key and its first answer, for the bundle manifest.
    pub example: Option<(String, Value)>,
}

/// The get_actor and get_director answers by person id, for the person pages, as JSON
/// text (210k answers: parsed values would weigh hundreds of MB through the render).
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct PeopleAnswers {
    pub actors: HashMap<i64, String>,
    pub directors: HashMap<i64, String>,
}

/// One question's answers as the bundle receives them: the answer rows, turned into
/// text only when the bundle writes that question, so the text of every question is
/// never held at once (it grows with the data: 170 MB on the full data, 1.4 GB at 8x).
/// A build writes the rows to a file as soon as the question's script has run, and the
/// bundle reads them back a few batches at a time: held, every question's rows weighed
/// 530 MB at 8x through the questions stage's peak and the bundle's.
pub enum Answers {
    Rows(&'static Question, Vec<RecordBatch>),
    /// The rows in an Arrow IPC file (see [`spill_rows`]).
    Spilled(&'static Question, PathBuf),
    /// Already text (answers made by hand, in tests of the bundle).
    Text(QuestionAnswers),
}

/// A question's rows, batch by batch, in order.
pub type Batches<'a> = Box<dyn Iterator<Item = Result<RecordBatch>> + 'a>;

impl Answers {
    pub fn question(&self) -> &'static Question {
        match self {
            Answers::Rows(question, _) | Answers::Spilled(question, _) => question,
            Answers::Text(answers) => answers.question,
        }
    }

    /// The rows, read from their file one batch at a time if spilled; `None` for
    /// answers that are already text.
    pub fn batches(&self) -> Result<Option<Batches<'_>>> {
        Ok(match self {
            Answers::Rows(_, batches) => Some(Box::new(batches.iter().cloned().map(Ok))),
            Answers::Spilled(_, path) => Some(Box::new(read_spilled_rows(path)?)),
            Answers::Text(_) => None,
        })
    }

    /// The answers as text; a spilled file is removed once read.
    pub fn into_text(self) -> Result<QuestionAnswers> {
        if let Answers::Text(answers) = self {
            return Ok(answers);
        }
        let batches = self.batches()?.expect("answers not yet text have rows");
        let text = answers_as_text(self.question(), batches)?;
        if let Answers::Spilled(_, path) = &self {
            let _ = std::fs::remove_file(path);
        }
        Ok(text)
    }
}

/// Where a build's answer rows wait for the bundle, under its cache directory; a
/// [`SpillDir`](crate::stages::load::spill::SpillDir) there is emptied when made and
/// removed when dropped, however the build ends.
pub fn spill_dir(cache: &Path) -> PathBuf {
    cache.join("answers-spill")
}

/// Runs the questions' scripts, in the order their tables require, and takes each
/// question's answer table out of `ctx` as soon as no script is left to read it: into
/// a file in `spill` (see [`Answers`]), or held without one. The get_actor and
/// get_director answers by person id are made on the way, for the person pages.
pub async fn run(ctx: &SessionContext, spill: Option<&Path>) -> Result<(Vec<Answers>, PeopleAnswers)> {
    // The person pages' questions last: their answers by person are held from then on,
    // and are not yet while the others run (recomendacion.sql's working set is the
    // stage's largest, 0.75 GB at 8x the full data).
    let (others_first, person_pages): (Vec<&Question>, Vec<&Question>) = QUESTIONS.iter().partition(|q| q.person_page.is_none());
    let queries: Vec<Script> = std::iter::once(SHARED).chain(others_first.iter().chain(&person_pages).map(|q| q.sql)).collect();
    let order = scripts::in_dependency_order(ctx, &queries)?;
    let taken_after = last_reads(ctx, &order)?;
    let mut answers: Vec<Option<Answers>> = QUESTIONS.iter().map(|_| None).collect();
    let mut people = PeopleAnswers::default();
    for (position, script) in order.iter().enumerate() {
        scripts::run_script(ctx, script).await?;
        for (i, question) in QUESTIONS.iter().enumerate().filter(|&(i, _)| taken_after[i] == position) {
            let batches = take_answer_table(ctx, question).await?;
            match question.person_page {
                Some(Role::Actor) => people.actors = answers_by_person(question, &batches),
                Some(Role::Director) => people.directors = answers_by_person(question, &batches),
                None => {}
            }
            answers[i] = Some(match spill {
                Some(dir) => Answers::Spilled(question, spill_rows(dir, question, &batches)?),
                None => Answers::Rows(question, batches),
            });
        }
    }
    Ok((answers.into_iter().map(|a| a.expect("every question's script runs")).collect(), people))
}

/// For each question, the position in `order` after which its answer table is read no
/// more: its own script's, or a later script's that reads it.
fn last_reads(ctx: &SessionContext, order: &[Script]) -> Result<Vec<usize>> {
    let effects: Vec<scripts::Effects> = order.iter().map(|s| scripts::effects(ctx, s)).collect::<Result<_>>()?;
    Ok(QUESTIONS
        .iter()
        .map(|question| {
            let table = tables::answers(question.name);
            let made = order.iter().position(|s| *s == question.sql).expect("every question's script is in the order");
            effects.iter().enumerate().filter(|(_, e)| e.reads.contains(&table)).map(|(i, _)| i).fold(made, usize::max)
        })
        .collect())
}

/// A question's answer rows, its table removed from `ctx`.
async fn take_answer_table(ctx: &SessionContext, question: &Question) -> Result<Vec<RecordBatch>> {
    let table = tables::answers(question.name);
    let batches =
        ctx.table(table.as_str()).await.with_context(|| format!("sql/{} must create {table}", question.sql.path))?.collect().await?;
    ctx.deregister_table(table.as_str())?;
    Ok(batches)
}

/// Writes a question's rows to `<dir>/<question>.arrow`, batch by batch as they came.
pub fn spill_rows(dir: &Path, question: &Question, batches: &[RecordBatch]) -> Result<PathBuf> {
    let path = dir.join(format!("{}.arrow", question.name));
    let write = || -> Result<()> {
        let schema = batches.first().map_or_else(|| Arc::new(Schema::empty()), RecordBatch::schema);
        let mut writer = FileWriter::try_new(BufWriter::new(File::create(&path)?), &schema)?;
        for batch in batches {
            writer.write(batch)?;
        }
        writer.finish()?;
        Ok(())
    };
    write().with_context(|| format!("writing {}'s answers to {}", question.name, path.display()))?;
    Ok(path)
}

/// The rows [`spill_rows`] wrote, one batch at a time; errors name the file.
fn read_spilled_rows(path: &Path) -> Result<impl Iterator<Item = Result<RecordBatch>> + use<>> {
    let failed = |path: &Path| format!("reading the answers spilled to {}", path.display());
    let reader = File::open(path).map_err(anyhow::Error::from).and_then(|file| Ok(FileReader::try_new(BufReader::new(file), None)?));
    let reader = reader.with_context(|| failed(path))?;
    let path = path.to_path_buf();
    Ok(reader.map(move |batch| batch.with_context(|| failed(&path))))
}

/// The answers of get_actor or get_director by person id, as JSON text: the last row
/// of a person wins. Batches are turned into text on every core, gathered in row order.
fn answers_by_person(question: &'static Question, batches: &[RecordBatch]) -> HashMap<i64, String> {
    let texts: Vec<Vec<(i64, String)>> = batches
        .par_iter()
        .map(|batch| {
            let (mut out, mut scratch) = (Vec::new(), Vec::new());
            for_each_answer(question, std::slice::from_ref(batch), |_, answer| {
                if let Some(id) = answer.get("person_id").and_then(Value::as_i64) {
                    // Written into one reused buffer and copied to size: held through
                    // the site, the text is not left with a growing buffer's spare room.
                    scratch.clear();
                    serde_json::to_writer(&mut scratch, &answer).expect("answers serialise");
                    out.push((id, std::str::from_utf8(&scratch).expect("JSON is UTF-8").to_string()));
                }
            });
            out
        })
        .collect();
    texts.into_iter().flatten().collect()
}

/// One batch's answers as text: every key and answer JSON written into one buffer,
/// with the ranges of each. Two small strings an answer, freed between the long-lived
/// texts of the grouped answers, left mimalloc's pages half used: the text of
/// recomendacion at 8x the full data (0.4 GB) took 1 GB.
#[derive(Default)]
struct BatchText {
    buffer: Vec<u8>,
    /// (key, answer) ranges in `buffer`, in row order.
    answers: Vec<(Range<usize>, Range<usize>)>,
    /// The first answer's field names.
    fields: Vec<String>,
}

impl BatchText {
    fn text(&self, range: &Range<usize>) -> &str {
        std::str::from_utf8(&self.buffer[range.clone()]).expect("keys and JSON are UTF-8")
    }
}

/// Every answer of a question as JSON text, grouped by key, each serialised as soon as
/// it is complete. The rows are read a few batches at a time (one a core), turned into
/// text on every core and gathered in row order: the rows are never held whole. A key's
/// text is its JSON array, made as its answers come, sized to fit.
pub fn answers_as_text(question: &'static Question, batches: Batches<'_>) -> Result<QuestionAnswers> {
    let mut by_key: BTreeMap<String, String> = BTreeMap::new();
    let mut fields = Vec::new();
    let mut batches = batches.peekable();
    while batches.peek().is_some() {
        let chunk: Vec<RecordBatch> = batches.by_ref().take(rayon::current_num_threads()).collect::<Result<_>>()?;
        let texts: Vec<BatchText> = chunk.par_iter().map(|batch| batch_as_text(question, batch)).collect();
        drop(chunk);
        for batch in texts {
            if fields.is_empty() {
                fields = batch.fields.clone();
            }
            for (key, answer) in &batch.answers {
                let (key, answer) = (batch.text(key), batch.text(answer));
                match by_key.get_mut(key) {
                    // Room for the comma, the answer and the closing bracket.
                    Some(list) => {
                        list.reserve_exact(answer.len() + 2);
                        list.push(',');
                        list.push_str(answer);
                    }
                    None => {
                        let mut list = String::with_capacity(answer.len() + 2);
                        list.push('[');
                        list.push_str(answer);
                        by_key.insert(key.to_string(), list);
                    }
                }
            }
        }
    }
    by_key.values_mut().for_each(|list| list.push(']'));
    fields.sort();
    let example = by_key.iter().next().map(|(k, list)| {
        let answers: Vec<Value> = serde_json::from_str(list).expect("own JSON");
        (k.clone(), answers.into_iter().next().expect("a key has an answer"))
    });
    Ok(QuestionAnswers { question, by_key, fields, example })
}

/// One batch's answers as text, in row order.
fn batch_as_text(question: &Question, batch: &RecordBatch) -> BatchText {
    let mut out = BatchText::default();
    for_each_answer(question, std::slice::from_ref(batch), |key, answer| {
        if out.answers.is_empty() {
            out.fields = answer.keys().cloned().collect();
        }
        let start = out.buffer.len();
        out.buffer.extend_from_slice(key.as_bytes());
        let middle = out.buffer.len();
        serde_json::to_writer(&mut out.buffer, &answer).expect("answers serialise");
        out.answers.push((start..middle, middle..out.buffer.len()));
    });
    out
}

/// Calls `each(key, answer)` for every row with a key, in row order; the answer has
/// the row's fields (the key aside), finished, with its sentence.
fn for_each_answer(question: &Question, batches: &[RecordBatch], mut each: impl FnMut(&str, Map<String, Value>)) {
    for batch in batches {
        let schema = batch.schema();
        let key_index = schema.index_of("key").expect("answer tables have a key column");
        let keys = batch.column(key_index).as_string::<i32>();
        for row in 0..batch.num_rows() {
            if keys.is_null(row) || keys.value(row).is_empty() {
                continue;
            }
            let mut answer = Map::new();
            for (i, field) in schema.fields().iter().enumerate() {
                if i != key_index {
                    answer.insert(field.name().clone(), json_value(batch.column(i).as_ref(), row));
                }
            }
            (question.finish)(&mut answer);
            let sentence = (question.sentence)(&answer);
            answer.insert("sentence".to_string(), Value::String(sentence));
            each(keys.value(row), answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn month_rows(keys: &[&str], counts: &[i64]) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("key", DataType::Utf8, true),
            Field::new("mes", DataType::Utf8, true),
            Field::new("cantidad", DataType::Int64, true),
        ]));
        let keys = StringArray::from(keys.to_vec());
        RecordBatch::try_new(schema, vec![Arc::new(keys.clone()), Arc::new(keys), Arc::new(Int64Array::from(counts.to_vec()))]).unwrap()
    }

    #[test]
    fn answers_are_the_same_text_however_the_rows_are_batched() {
        let question = find("cantidad_filmaciones_mes").unwrap();
        let keys = ["mayo", "abril", "mayo", "junio", "abril", "mayo"];
        let counts = [1, 2, 3, 4, 5, 6];
        let whole = Answers::Rows(question, vec![month_rows(&keys, &counts)]).into_text().unwrap();
        let split = [month_rows(&keys[..1], &counts[..1]), month_rows(&keys[1..4], &counts[1..4]), month_rows(&keys[4..], &counts[4..])];
        let batched = Answers::Rows(question, split.to_vec()).into_text().unwrap();
        assert_eq!(batched.by_key, whole.by_key);
        assert_eq!(batched.fields, ["cantidad", "mes", "sentence"]);
        assert_eq!(batched.example, whole.example);
        // A key's answers keep the rows' order across batches.
        let mayo: Value = serde_json::from_str(&batched.by_key["mayo"]).unwrap();
        let counts: Vec<i64> = mayo.as_array().unwrap().iter().map(|a| a["cantidad"].as_i64().unwrap()).collect();
        assert_eq!(counts, [1, 3, 6]);
    }
}
