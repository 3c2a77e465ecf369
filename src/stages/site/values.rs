//! Page-table rows as template values, straight from Arrow, and lists put in the same
//! order as the JSON answers' (`foundation::cells::sort_list`).

use anyhow::{Context, Result};
use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::prelude::SessionContext;
use minijinja::Value as Mj;
use serde_json::{Map, Value};

use crate::foundation::cells::{SortKey, compare_in_turn, int_at, json_value, str_at};

pub async fn rows(ctx: &SessionContext, table: &str) -> Result<Vec<Map<String, Value>>> {
    let batches = ctx.table(table).await.with_context(|| format!("table {table}"))?.collect().await?;
    Ok(batches_to_rows(&batches))
}

fn batches_to_rows(batches: &[RecordBatch]) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let map =
                schema.fields().iter().enumerate().map(|(i, f)| (f.name().clone(), json_value(batch.column(i).as_ref(), row))).collect();
            out.push(map);
        }
    }
    out
}

pub fn as_i64(v: &Value) -> i64 {
    v.as_i64().unwrap_or_default()
}

/// One row of a page table as template values, built straight from the Arrow columns
/// (a JSON tree in between cost more than the templates themselves).
pub struct PageRow<'a> {
    names: &'a [String],
    values: Vec<Mj>,
}

impl<'a> PageRow<'a> {
    pub fn read(batch: &RecordBatch, names: &'a [String], row: usize) -> PageRow<'a> {
        let values = batch.columns().iter().map(|c| template_value(c.as_ref(), row)).collect();
        PageRow { names, values }
    }

    pub fn get(&self, name: &str) -> Mj {
        self.names.iter().position(|n| n == name).map(|i| self.values[i].clone()).unwrap_or(Mj::UNDEFINED)
    }

    pub fn int(&self, name: &str) -> i64 {
        self.get(name).as_i64().unwrap_or_default()
    }

    pub fn sort_lists(&mut self, order: &[(&str, &[&str])]) {
        for (field, keys) in order {
            if let Some(i) = self.names.iter().position(|n| n == field)
                && !(self.values[i].is_none() || self.values[i].is_undefined())
            {
                self.values[i] = Mj::from(sorted_items(&self.values[i], keys));
            }
        }
    }

    pub fn into_value(self) -> Mj {
        self.names.iter().map(String::as_str).zip(self.values).collect()
    }
}

pub fn column<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b dyn Array> {
    Ok(batch.column_by_name(name).with_context(|| format!("no column {name}"))?.as_ref())
}

/// One Arrow cell as a template value (the types the page tables use).
pub fn template_value(array: &dyn Array, row: usize) -> Mj {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::{DataType, Float64Type};
    if array.is_null(row) {
        return Mj::from(());
    }
    if let Some(text) = str_at(array, row) {
        return Mj::from(text);
    }
    if let Some(n) = int_at(array, row) {
        return Mj::from(n);
    }
    match array.data_type() {
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            if v.is_finite() { Mj::from(v) } else { Mj::from(()) }
        }
        DataType::Boolean => Mj::from(array.as_boolean().value(row)),
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            (0..items.len()).map(|i| template_value(items.as_ref(), i)).collect()
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            fields.iter().enumerate().map(|(i, f)| (f.name().as_str(), template_value(s.column(i).as_ref(), row))).collect()
        }
        _ => Mj::from(datafusion::arrow::util::display::array_value_to_string(array, row).unwrap_or_default()),
    }
}

/// A list's items sorted like `foundation::cells::sort_list`: by the given fields in turn (numbers
/// by value, text lexicographically, nulls first), plain values by themselves.
pub fn sorted_items(list: &Mj, fields: &[&str]) -> Vec<Mj> {
    let mut items: Vec<Mj> = list.try_iter().map(|it| it.collect()).unwrap_or_default();
    if fields.is_empty() {
        items.sort_by(|a, b| sort_key(a).compare(&sort_key(b)));
    } else {
        let keyed = |v: &Mj, f: &str| v.get_attr(f).unwrap_or(Mj::UNDEFINED);
        items.sort_by(|a, b| {
            compare_in_turn(fields, |f| {
                let (x, y) = (keyed(a, f), keyed(b, f));
                sort_key(&x).compare(&sort_key(&y))
            })
        });
    }
    items
}

fn sort_key(v: &Mj) -> SortKey<'_> {
    use minijinja::value::ValueKind;
    match v.kind() {
        ValueKind::None | ValueKind::Undefined => SortKey::Null,
        ValueKind::Number => SortKey::Number(f64::try_from(v.clone()).unwrap_or(0.0)),
        ValueKind::String => v.as_str().map_or(SortKey::Other, SortKey::Text),
        _ => SortKey::Other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn template_lists_sort_like_json_lists() {
        let cases = [
            (
                json!([{"date": "2001-01-01", "id": 3}, {"date": null, "id": 9}, {"date": "1999-05-01", "id": 12}, {"date": "2001-01-01", "id": 1}]),
                vec!["date", "id"],
            ),
            (json!([{"rank": 3.5}, {"rank": -1}, {"rank": 10}, {"rank": null}]), vec!["rank"]),
            (json!(["Drama", "Comedy", "Ácción", "drama"]), vec![]),
        ];
        for (list, keys) in cases {
            let mut expected = list.clone();
            crate::foundation::cells::sort_list(&mut expected, &keys);
            let sorted = sorted_items(&Mj::from_serialize(&list), &keys);
            assert_eq!(serde_json::to_value(&sorted).unwrap(), expected, "{list}");
        }
    }
}
