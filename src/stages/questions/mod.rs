//! Questions stage: runs every question's SQL (every input at once, set-based) and
//! turns each answer table into JSON answers grouped by lookup key.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, BufWriter};
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
/// A build writes the rows to a file as soon as the question's script has run and the
/// bundle reads them back one question at a time: held, every question's rows weighed
/// 530 MB at 8x through the questions stage's peak and the bundle's.
pub enum Answers {
    Held(HeldAnswers),
    /// The rows in an Arrow IPC file (see [`spill_rows`]).
    Spilled(&'static Question, PathBuf),
}

/// One question's answers in memory.
pub enum HeldAnswers {
    Rows(&'static Question, Vec<RecordBatch>),
    /// Already text (answers made by hand, in tests of the bundle).
    Text(QuestionAnswers),
}

impl Answers {
    pub fn question(&self) -> &'static Question {
        match self {
            Answers::Held(held) => held.question(),
            Answers::Spilled(question, _) => question,
        }
    }

    /// The answers in memory, read back from their file (then removed) if spilled.
    pub fn held(self) -> Result<HeldAnswers> {
        match self {
            Answers::Held(held) => Ok(held),
            Answers::Spilled(question, path) => {
                let batches = read_spilled_rows(&path)?;
                let _ = std::fs::remove_file(&path);
                Ok(HeldAnswers::Rows(question, batches))
            }
        }
    }
}

impl HeldAnswers {
    pub fn question(&self) -> &'static Question {
        match self {
            HeldAnswers::Rows(question, _) => question,
            HeldAnswers::Text(answers) => answers.question,
        }
    }
}

impl From<HeldAnswers> for QuestionAnswers {
    fn from(answers: HeldAnswers) -> QuestionAnswers {
        match answers {
            HeldAnswers::Rows(question, batches) => answers_as_text(question, &batches),
            HeldAnswers::Text(answers) => answers,
        }
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
    let queries: Vec<Script> = std::iter::once(SHARED).chain(QUESTIONS.iter().map(|q| q.sql)).collect();
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
                None => Answers::Held(HeldAnswers::Rows(question, batches)),
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

/// The rows [`spill_rows`] wrote, in their batches.
fn read_spilled_rows(path: &Path) -> Result<Vec<RecordBatch>> {
    let read = || -> Result<Vec<RecordBatch>> {
        let reader = FileReader::try_new(BufReader::new(File::open(path)?), None)?;
        Ok(reader.collect::<Result<_, _>>()?)
    };
    read().with_context(|| format!("reading the answers spilled to {}", path.display()))
}

/// The answers of get_actor or get_director by person id, as JSON text: the last row
/// of a person wins. Batches are turned into text on every core, gathered in row order.
fn answers_by_person(question: &'static Question, batches: &[RecordBatch]) -> HashMap<i64, String> {
    let texts: Vec<Vec<(i64, String)>> = batches
        .par_iter()
        .map(|batch| {
            let mut out = Vec::new();
            for_each_answer(question, std::slice::from_ref(batch), |_, answer| {
                if let Some(id) = answer.get("person_id").and_then(Value::as_i64) {
                    out.push((id, serde_json::to_string(&answer).expect("answers serialise")));
                }
            });
            out
        })
        .collect();
    texts.into_iter().flatten().collect()
}

/// One answer row turned into text: its key, its JSON and its field names.
struct AnswerText {
    key: String,
    text: String,
    fields: Vec<String>,
}

/// Every answer of a question as JSON text, grouped by key, each serialised as soon as
/// it is complete. Batches are turned into text on every core and gathered in row order.
pub fn answers_as_text(question: &'static Question, batches: &[RecordBatch]) -> QuestionAnswers {
    let texts: Vec<Vec<AnswerText>> = batches
        .par_iter()
        .map(|batch| {
            let mut out = Vec::new();
            for_each_answer(question, std::slice::from_ref(batch), |key, answer| {
                let fields = if out.is_empty() { answer.keys().cloned().collect() } else { Vec::new() };
                let text = serde_json::to_string(&answer).expect("answers serialise");
                out.push(AnswerText { key: key.to_string(), text, fields });
            });
            out
        })
        .collect();
    let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut fields = Vec::new();
    for answer in texts.into_iter().flatten() {
        if fields.is_empty() {
            fields = answer.fields;
        }
        grouped.entry(answer.key).or_default().push(answer.text);
    }
    fields.sort();
    let example = grouped.iter().next().map(|(k, v)| (k.clone(), serde_json::from_str(&v[0]).expect("own JSON")));
    let by_key = grouped.into_iter().map(|(k, v)| (k, format!("[{}]", v.join(",")))).collect();
    QuestionAnswers { question, by_key, fields, example }
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
        let whole = answers_as_text(question, &[month_rows(&keys, &counts)]);
        let split = [month_rows(&keys[..1], &counts[..1]), month_rows(&keys[1..4], &counts[1..4]), month_rows(&keys[4..], &counts[4..])];
        let batched: QuestionAnswers = HeldAnswers::Rows(question, split.to_vec()).into();
        assert_eq!(batched.by_key, whole.by_key);
        assert_eq!(batched.fields, ["cantidad", "mes", "sentence"]);
        assert_eq!(batched.example, whole.example);
        // A key's answers keep the rows' order across batches.
        let mayo: Value = serde_json::from_str(&batched.by_key["mayo"]).unwrap();
        let counts: Vec<i64> = mayo.as_array().unwrap().iter().map(|a| a["cantidad"].as_i64().unwrap()).collect();
        assert_eq!(counts, [1, 3, 6]);
    }
}
