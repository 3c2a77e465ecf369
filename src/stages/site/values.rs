//! Page-table rows as template values, straight from Arrow, and lists put in the same
//! order as the JSON answers' (`foundation::cells::sort_list`).

use anyhow::{Context, Result};
use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::prelude::SessionContext;
use minijinja::Value as Mj;
use serde_json::{Map, Value};

use crate::foundation::cells::{SortKey, compare_in_turn, int_at, json_value, str_at};
use crate::foundation::fingerprint::{Fingerprint, Fingerprinter};

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

/// Adds one Arrow cell to `print` as `template_value` would see it: the same cases in
/// the same order, each tagged, so two cells hash alike only when they make the same
/// template value (a page is then known unchanged without building its context).
pub fn hash_cell(print: &mut Fingerprinter, array: &dyn Array, row: usize) {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::{DataType, Float64Type};
    if array.is_null(row) {
        print.add_u64(0);
        return;
    }
    if let Some(text) = str_at(array, row) {
        print.add_u64(1).add_str(text);
        return;
    }
    if let Some(n) = int_at(array, row) {
        print.add_u64(2).add_u64(n as u64);
        return;
    }
    match array.data_type() {
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            // A non-finite number is shown as none, like a null.
            if v.is_finite() {
                print.add_u64(3).add_u64(v.to_bits())
            } else {
                print.add_u64(0)
            };
        }
        DataType::Boolean => {
            print.add_u64(4).add_u64(u64::from(array.as_boolean().value(row)));
        }
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            print.add_u64(5).add_u64(items.len() as u64);
            for i in 0..items.len() {
                hash_cell(print, items.as_ref(), i);
            }
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            print.add_u64(6).add_u64(fields.len() as u64);
            for (i, f) in fields.iter().enumerate() {
                print.add_str(f.name());
                hash_cell(print, s.column(i).as_ref(), row);
            }
        }
        _ => {
            print.add_u64(7).add_str(&datafusion::arrow::util::display::array_value_to_string(array, row).unwrap_or_default());
        }
    }
}

/// Adds a list cell that the page puts in order itself (`PageRow::sort_lists`) as the
/// multiset of its items: SQL aggregates lists in no set order, and the page shows
/// the same whatever order they come in (its sort keys tell every two items apart).
pub fn hash_unordered_list(print: &mut Fingerprinter, array: &dyn Array, row: usize) {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::DataType;
    if array.is_null(row) || !matches!(array.data_type(), DataType::List(_)) {
        hash_cell(print, array, row);
        return;
    }
    let items = array.as_list::<i32>().value(row);
    let mut prints: Vec<Fingerprint> = (0..items.len())
        .map(|i| {
            let mut item = Fingerprinter::new("list item");
            hash_cell(&mut item, items.as_ref(), i);
            item.finish()
        })
        .collect();
    prints.sort_unstable();
    print.add_u64(10).add_u64(prints.len() as u64);
    for item in prints {
        print.add_fingerprint(item);
    }
}

/// What a batch's rows are read as: its column names and types, to mix into the
/// fingerprint of each of its rows.
pub fn schema_print(batch: &RecordBatch) -> Fingerprint {
    let mut print = Fingerprinter::new("page table schema");
    for field in batch.schema().fields() {
        print.add_str(field.name()).add_str(&field.data_type().to_string());
    }
    print.finish()
}

/// Every cell of `batches`, row by row: what a whole table holds, as its pages see it.
/// The same rows hash alike however they are cut into batches.
pub fn hash_batches(print: &mut Fingerprinter, batches: &[RecordBatch]) {
    let (mut schema, mut rows) = (None, 0u64);
    for batch in batches {
        let this = schema_print(batch);
        if schema != Some(this) {
            print.add_u64(9).add_fingerprint(this);
            schema = Some(this);
        }
        for row in 0..batch.num_rows() {
            print.add_u64(8);
            for column in batch.columns() {
                hash_cell(print, column.as_ref(), row);
            }
        }
        rows += batch.num_rows() as u64;
    }
    print.add_u64(rows);
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
