//! Questions stage: runs every question's SQL (every input at once, set-based) and
//! turns each answer table into JSON answers grouped by lookup key.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
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
pub enum Answers {
    Rows(&'static Question, Vec<RecordBatch>),
    Text(QuestionAnswers),
}

impl Answers {
    pub fn question(&self) -> &'static Question {
        match self {
            Answers::Rows(question, _) => question,
            Answers::Text(answers) => answers.question,
        }
    }
}

impl From<Answers> for QuestionAnswers {
    fn from(answers: Answers) -> QuestionAnswers {
        match answers {
            Answers::Rows(question, batches) => answers_as_text(question, &batches).0,
            Answers::Text(answers) => answers,
        }
    }
}

pub async fn run(ctx: &SessionContext) -> Result<(Vec<Answers>, PeopleAnswers)> {
    let queries: Vec<Script> = std::iter::once(SHARED).chain(QUESTIONS.iter().map(|q| q.sql)).collect();
    scripts::run_scripts(ctx, &queries).await?;
    let mut answer_tables = Vec::new();
    for question in QUESTIONS {
        let table = tables::answers(question.name);
        let batches =
            ctx.table(table.as_str()).await.with_context(|| format!("sql/{} must create {table}", question.sql.path))?.collect().await?;
        // The bundle reads the collected rows; the table is not needed again.
        ctx.deregister_table(table.as_str())?;
        answer_tables.push((question, batches));
    }
    // The person pages need the get_actor and get_director answers as text now; the
    // others wait as rows for the bundle.
    let mut people = PeopleAnswers::default();
    let mut out = Vec::new();
    for (question, batches) in answer_tables {
        let Some(role) = question.person_page else {
            out.push(Answers::Rows(question, batches));
            continue;
        };
        let (answers, by_person) = answers_as_text(question, &batches);
        match role {
            Role::Actor => people.actors = by_person,
            Role::Director => people.directors = by_person,
        }
        out.push(Answers::Text(answers));
    }
    Ok((out, people))
}

/// One answer row turned into text: its key, its JSON, the person it is about (for
/// get_actor and get_director) and its field names.
struct AnswerText {
    key: String,
    text: String,
    person: Option<i64>,
    fields: Vec<String>,
}

/// Every answer of a question as JSON text, grouped by key, each serialised as soon as
/// it is complete; plus, for get_actor and get_director, the answers by person id.
/// Batches are turned into text on every core and gathered in row order.
fn answers_as_text(question: &'static Question, batches: &[RecordBatch]) -> (QuestionAnswers, HashMap<i64, String>) {
    let by_person = question.person_page.is_some();
    let texts: Vec<Vec<AnswerText>> = batches
        .par_iter()
        .map(|batch| {
            let mut out = Vec::new();
            for_each_answer(question, std::slice::from_ref(batch), |key, answer| {
                let fields = if out.is_empty() { answer.keys().cloned().collect() } else { Vec::new() };
                let text = serde_json::to_string(&answer).expect("answers serialise");
                let person = answer.get("person_id").and_then(Value::as_i64).filter(|_| by_person);
                out.push(AnswerText { key: key.to_string(), text, person, fields });
            });
            out
        })
        .collect();
    let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut people = HashMap::new();
    let mut fields = Vec::new();
    for answer in texts.into_iter().flatten() {
        if fields.is_empty() {
            fields = answer.fields;
        }
        if let Some(id) = answer.person {
            people.insert(id, answer.text.clone());
        }
        grouped.entry(answer.key).or_default().push(answer.text);
    }
    fields.sort();
    let example = grouped.iter().next().map(|(k, v)| (k.clone(), serde_json::from_str(&v[0]).expect("own JSON")));
    let by_key = grouped.into_iter().map(|(k, v)| (k, format!("[{}]", v.join(",")))).collect();
    (QuestionAnswers { question, by_key, fields, example }, people)
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
        let whole = answers_as_text(question, &[month_rows(&keys, &counts)]).0;
        let split = [month_rows(&keys[..1], &counts[..1]), month_rows(&keys[1..4], &counts[1..4]), month_rows(&keys[4..], &counts[4..])];
        let batched: QuestionAnswers = Answers::Rows(question, split.to_vec()).into();
        assert_eq!(batched.by_key, whole.by_key);
        assert_eq!(batched.fields, ["cantidad", "mes", "sentence"]);
        assert_eq!(batched.example, whole.example);
        // A key's answers keep the rows' order across batches.
        let mayo: Value = serde_json::from_str(&batched.by_key["mayo"]).unwrap();
        let counts: Vec<i64> = mayo.as_array().unwrap().iter().map(|a| a["cantidad"].as_i64().unwrap()).collect();
        assert_eq!(counts, [1, 3, 6]);
    }
}
