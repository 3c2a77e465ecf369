//! Queries stage: runs sql/queries/*.sql (every question, every input, set-based) and
//! turns each answer table into JSON answers grouped by lookup key.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use datafusion::prelude::SessionContext;
use rayon::prelude::*;
use serde_json::{Map, Number, Value};

use crate::questions::{QUESTIONS, Question};
use crate::sql;

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
#[derive(Default)]
pub struct PeopleAnswers {
    pub actors: HashMap<i64, String>,
    pub directors: HashMap<i64, String>,
}

pub async fn run(ctx: &SessionContext) -> Result<(Vec<QuestionAnswers>, PeopleAnswers)> {
    sql::run_scripts(ctx, sql::QUERIES, "queries").await?;
    let mut tables = Vec::new();
    for question in QUESTIONS {
        let batches = ctx
            .table(question.table().as_str())
            .await
            .with_context(|| format!("sql/queries/{}.sql must create {}", question.name, question.table()))?
            .collect()
            .await?;
        // The answers live on as JSON text; the Arrow copy is not needed again.
        ctx.deregister_table(question.table().as_str())?;
        tables.push((question, batches));
    }
    // Turning rows into sentences and JSON is the costly part: one question per thread.
    let converted: Vec<(QuestionAnswers, HashMap<i64, String>)> =
        tables.into_par_iter().map(|(question, batches)| answers_as_text(question, &batches)).collect();
    let mut out = Vec::new();
    let mut people = PeopleAnswers::default();
    for (answers, by_person) in converted {
        match answers.question.name {
            "get_actor" => people.actors = by_person,
            "get_director" => people.directors = by_person,
            _ => {}
        }
        out.push(answers);
    }
    Ok((out, people))
}

/// Every answer of a question as JSON text, grouped by key, each serialised as soon as
/// it is complete; plus, for get_actor and get_director, the answers by person id.
fn answers_as_text(question: &'static Question, batches: &[RecordBatch]) -> (QuestionAnswers, HashMap<i64, String>) {
    let by_person = matches!(question.name, "get_actor" | "get_director");
    let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut people = HashMap::new();
    let mut fields = Vec::new();
    for_each_answer(question, batches, |key, answer| {
        if fields.is_empty() {
            fields = answer.keys().cloned().collect();
        }
        let text = serde_json::to_string(&answer).expect("answers serialise");
        if let Some(id) = answer.get("person_id").and_then(Value::as_i64).filter(|_| by_person) {
            people.insert(id, text.clone());
        }
        grouped.entry(key.to_string()).or_default().push(text);
    });
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

/// A text cell, whichever string type the SQL produced.
pub fn str_at(array: &dyn Array, row: usize) -> Option<&str> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(row)),
        DataType::Utf8View => Some(array.as_string_view().value(row)),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(row)),
        _ => None,
    }
}

/// An integer cell (Int32 or Int64).
pub fn int_at(array: &dyn Array, row: usize) -> Option<i64> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Int64 => Some(array.as_primitive::<Int64Type>().value(row)),
        DataType::Int32 => Some(i64::from(array.as_primitive::<Int32Type>().value(row))),
        _ => None,
    }
}

/// One Arrow cell as JSON (the types the answer tables use).
pub fn json_value(array: &dyn Array, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Int64 => Value::from(array.as_primitive::<Int64Type>().value(row)),
        DataType::Int32 => Value::from(array.as_primitive::<Int32Type>().value(row)),
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            Number::from_f64(v).map_or(Value::Null, Value::Number)
        }
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Utf8 => Value::String(array.as_string::<i32>().value(row).to_string()),
        DataType::Utf8View => Value::String(array.as_string_view().value(row).to_string()),
        DataType::LargeUtf8 => Value::String(array.as_string::<i64>().value(row).to_string()),
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            Value::Array((0..items.len()).map(|i| json_value(items.as_ref(), i)).collect())
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let map = fields.iter().enumerate().map(|(i, f)| (f.name().clone(), json_value(s.column(i).as_ref(), row))).collect();
            Value::Object(map)
        }
        other => {
            let text = datafusion::arrow::util::display::array_value_to_string(array, row).unwrap_or_else(|_| format!("<{other}>"));
            Value::String(text)
        }
    }
}

/// Sorts a JSON list in place: objects by the given fields in turn (numbers by value,
/// text lexicographically, nulls first), plain values by themselves.
///
/// DataFusion's array_agg(... ORDER BY ...) costs seconds per list at full scale and
/// plain array_agg keeps no order, so lists are aggregated unordered with their sort
/// keys inside and put in order here.
pub fn sort_list(list: &mut Value, fields: &[&str]) {
    let Some(items) = list.as_array_mut() else { return };
    items.sort_by(|a, b| {
        if fields.is_empty() {
            return SortKey::from(a).compare(&SortKey::from(b));
        }
        compare_in_turn(fields, |f| SortKey::from(&a[f]).compare(&SortKey::from(&b[f])))
    });
}

/// What list items are ordered by, whatever holds them (JSON here, template values in
/// the render): nulls first, then numbers by value, then text.
pub enum SortKey<'a> {
    Null,
    Number(f64),
    Text(&'a str),
    Other,
}

impl SortKey<'_> {
    fn rank(&self) -> u8 {
        match self {
            SortKey::Null => 0,
            SortKey::Number(_) => 1,
            SortKey::Text(_) => 2,
            SortKey::Other => 3,
        }
    }

    pub fn compare(&self, other: &SortKey) -> std::cmp::Ordering {
        match (self, other) {
            (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
            (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl<'a> From<&'a Value> for SortKey<'a> {
    fn from(v: &'a Value) -> Self {
        match v {
            Value::Null => SortKey::Null,
            Value::Number(n) => SortKey::Number(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => SortKey::Text(s),
            _ => SortKey::Other,
        }
    }
}

/// The first unequal comparison of `fields`, taken in turn.
pub fn compare_in_turn(fields: &[&str], by_field: impl Fn(&str) -> std::cmp::Ordering) -> std::cmp::Ordering {
    fields.iter().map(|f| by_field(f)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}
